package dev.currentsbridge.export.domain.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Mixpanel's documented backoff: start at 2 s, double up to 60 s, add 1-5 s of random jitter; a
 * {@code Retry-After} from the server wins (capped at the maximum, so a hostile value cannot park us).
 * Whether there is time left to wait is the caller's question (the Lambda deadline), not the policy's.
 */
public record RetryPolicy(Duration initial, Duration max, Duration jitterMin, Duration jitterMax, int maxAttempts,
                          RandomGenerator random) {

    public static RetryPolicy mixpanel(RandomGenerator random) {
        return new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(5), 10, random);
    }

    /** The wait before retry number {@code attempt} (1 = the first retry). */
    public Duration delay(int attempt, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent() && !retryAfter.get().isNegative()) {
            return retryAfter.get().compareTo(max) > 0 ? max : retryAfter.get();
        }
        int shift = Math.min(Math.max(attempt, 1) - 1, 30);
        long base = Math.min(initial.toMillis() << shift, max.toMillis());
        long jitterSpan = jitterMax.toMillis() - jitterMin.toMillis();
        long jitter = jitterMin.toMillis() + (jitterSpan <= 0 ? 0 : random.nextLong(jitterSpan + 1));
        return Duration.ofMillis(base + jitter);
    }
}
