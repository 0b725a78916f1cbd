package dev.currentsbridge.common.retry;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The one parser of server wait hints: {@code Retry-After} as seconds (RFC 9110 says an integer; a decimal is
 * accepted) or an HTTP date, and Braze's {@code X-RateLimit-Reset} (epoch seconds at which the window resets).
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    public static Optional<Duration> parse(String value) {
        return parse(value, Clock.systemUTC());
    }

    /** Empty for a missing, negative or unreadable value; a date in the past is zero. */
    public static Optional<Duration> parse(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        try {
            BigDecimal seconds = new BigDecimal(v);
            if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000)) > 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(seconds.movePointRight(3).longValue()));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException notDate) {
                return Optional.empty();
            }
        }
    }

    /**
     * Braze's documented {@code X-RateLimit-Reset}: the epoch second at which the rate-limit window resets, as the
     * time from now until then (zero when it already passed). Empty for a missing, negative or unreadable value, or
     * one more than a day away (not a reset time a sane server sends).
     */
    public static Optional<Duration> untilRateLimitReset(String epochSeconds, Clock clock) {
        if (epochSeconds == null || epochSeconds.isBlank()) {
            return Optional.empty();
        }
        try {
            BigDecimal at = new BigDecimal(epochSeconds.strip());
            if (at.signum() < 0 || at.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1000)) > 0) {
                return Optional.empty();
            }
            Duration d = Duration.ofMillis(at.movePointRight(3).longValue() - clock.millis());
            if (d.compareTo(Duration.ofDays(1)) > 0) {
                return Optional.empty();
            }
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
