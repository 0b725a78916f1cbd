package dev.currentsbridge.standins.mixpanel;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code ratePerSecond} tokens added continuously, at most {@code capacity} kept. A request takes
 * all the tokens it needs or none (Mixpanel imports or refuses a whole batch), so a capacity below the largest
 * request would refuse that request forever: {@link ProjectQuota} sizes it at least one full batch.
 */
public final class TokenBucket {

    private final double ratePerSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastNanos;

    /** Starts full. {@code nanoTime}: {@code System::nanoTime}, or a virtual clock in tests. */
    public TokenBucket(double ratePerSecond, double capacity, LongSupplier nanoTime) {
        this(ratePerSecond, capacity, capacity, nanoTime);
    }

    /**
     * Starts with {@code initialTokens} (0: empty, so that over any span from the start no more than
     * {@code ratePerSecond} x the span is ever taken).
     */
    public TokenBucket(double ratePerSecond, double capacity, double initialTokens, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0) || !(capacity >= 1) || !(initialTokens >= 0 && initialTokens <= capacity)) {
            throw new IllegalArgumentException("rate must be > 0, capacity >= 1 and 0 <= initial <= capacity, got "
                    + ratePerSecond + ", " + capacity + ", " + initialTokens);
        }
        this.ratePerSecond = ratePerSecond;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.tokens = initialTokens;
        this.lastNanos = nanoTime.getAsLong();
    }

    /** Takes {@code n} tokens if that many are there; false (and nothing taken) otherwise. */
    public synchronized boolean tryTake(long n) {
        refill();
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }

    public synchronized double available() {
        refill();
        return tokens;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public double capacity() {
        return capacity;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        if (now > lastNanos) {
            tokens = Math.min(capacity, tokens + (now - lastNanos) / 1e9 * ratePerSecond);
            lastNanos = now;
        }
    }
}
