package dev.currentsbridge.standins.braze;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Braze's REST rate limit for {@code /users/track}: a number of requests per fixed window per workspace (3,000 per
 * 3 seconds, spec braze-api.md section 3), announced on every answer by {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (epoch seconds at which the window resets).
 */
final class RateLimitWindow {

    static final int REQUESTS = 3000;
    static final Duration WINDOW = Duration.ofSeconds(3);

    /** The headers of one answer and whether the request is over the limit. */
    record Verdict(boolean allowed, int limit, int remaining, long resetEpochSeconds) {
    }

    private volatile Supplier<Instant> clock = Instant::now;
    private volatile int limit = REQUESTS;
    private long windowStart = Long.MIN_VALUE;
    private int used;

    void clock(Supplier<Instant> clock) {
        this.clock = clock;
    }

    void limit(int requestsPerWindow) {
        this.limit = requestsPerWindow;
    }

    synchronized Verdict take() {
        long now = clock.get().toEpochMilli();
        long window = WINDOW.toMillis();
        long start = Math.floorDiv(now, window) * window;
        if (start != windowStart) {
            windowStart = start;
            used = 0;
        }
        boolean allowed = used < limit;
        if (allowed) {
            used++;
        }
        return new Verdict(allowed, limit, limit - used, Math.floorDiv(start + window + 999, 1000));
    }

    synchronized void reset() {
        windowStart = Long.MIN_VALUE;
        used = 0;
    }
}
