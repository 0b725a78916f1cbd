package dev.currentsbridge.common.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);

    @Test
    void secondsIntegerOrDecimal() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("30", NOW));
        assertEquals(Optional.of(Duration.ofMillis(1500)), RetryAfter.parse(" 1.5 ", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NOW));
    }

    @Test
    void anHttpDateIsTheTimeUntilThen() {
        assertEquals(Optional.of(Duration.ofSeconds(60)), RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", NOW));
    }

    @Test
    void missingNegativeHugeOrUnreadableIsEmpty() {
        for (String v : new String[] {null, "", "  ", "-1", "soon", "1e400", "99999999999999999999"}) {
            assertEquals(Optional.empty(), RetryAfter.parse(v, NOW), String.valueOf(v));
        }
    }

    @Test
    void brazeRateLimitResetIsTheTimeUntilThatEpochSecond() {
        long now = NOW.instant().getEpochSecond();
        assertEquals(Optional.of(Duration.ofSeconds(3)), RetryAfter.untilRateLimitReset(String.valueOf(now + 3), NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.untilRateLimitReset(String.valueOf(now - 10), NOW));
        for (String v : new String[] {null, "", "-5", "soon", String.valueOf(now + 2 * 86_400), "1e400"}) {
            assertEquals(Optional.empty(), RetryAfter.untilRateLimitReset(v, NOW), String.valueOf(v));
        }
    }
}
