package dev.currentsbridge.common.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The one backoff policy of the bridge, for Mixpanel and Braze alike: exponential from {@code initial}, capped at
 * {@code max}, plus random jitter (so the containers of a fleet that failed together do not retry together); a
 * server's {@code Retry-After} (or Braze's {@code X-RateLimit-Reset}) wins, capped at {@code maxServerWait} so a
 * hostile value cannot park us. Whether there is time left to wait is the caller's question (the Lambda deadline), not the policy's.
 */
public record RetryPolicy(Duration initial, Duration max, Duration jitterMin, Duration jitterMax, int maxAttempts,
                          Duration maxServerWait, RandomGenerator random) {

    /** Mixpanel's documented backoff: start at 2 s, double up to 60 s, add 1-5 s of random jitter. */
    public static RetryPolicy mixpanel(RandomGenerator random) {
        return new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(5), 10, Duration.ofSeconds(60), random);
    }

    /**
     * Braze (no documented schedule): start at 1 s, double up to 30 s, add up to 250 ms of jitter. Short, because a
     * refresh runs every 15 minutes and leaves what it could not send pending for the next one. A server wait is
     * honoured up to 15 minutes (sending earlier than Braze asks only earns another 429); the refresh's deadline
     * decides whether it can wait that long or leaves the changes pending.
     */
    public static RetryPolicy braze(RandomGenerator random) {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO, Duration.ofMillis(250),
                3, Duration.ofMinutes(15), random);
    }

    /** The same schedule with another number of attempts. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(initial, max, jitterMin, jitterMax, attempts, maxServerWait, random);
    }

    /** The wait before retry number {@code attempt} (1 = the first retry). */
    public Duration delay(int attempt, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent() && !retryAfter.get().isNegative()) {
            return retryAfter.get().compareTo(maxServerWait) > 0 ? maxServerWait : retryAfter.get();
        }
        int shift = Math.min(Math.max(attempt, 1) - 1, 30);
        long base = Math.min(initial.toMillis() << shift, max.toMillis());
        long jitterSpan = jitterMax.toMillis() - jitterMin.toMillis();
        long jitter = jitterMin.toMillis() + (jitterSpan <= 0 ? 0 : random.nextLong(jitterSpan + 1));
        return Duration.ofMillis(base + jitter);
    }
}
