package dev.currentsbridge.common.time;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long the current invocation may still work. On Lambda it follows
 * {@code Context.getRemainingTimeInMillis()}; retries and backoffs ask it before sleeping so that the
 * function always answers (and reports what it could not finish) before it is killed.
 */
@FunctionalInterface
public interface Deadline {

    long remainingMillis();

    default Duration remaining() {
        return Duration.ofMillis(Math.max(0, remainingMillis()));
    }

    /** True when at least {@code needed} is left after keeping {@code reserve} for answering. */
    default boolean allows(Duration needed, Duration reserve) {
        return remainingMillis() - reserve.toMillis() >= needed.toMillis();
    }

    static Deadline none() {
        return () -> Long.MAX_VALUE / 4;
    }

    static Deadline after(Duration d, LongSupplier nanoClock) {
        long end = nanoClock.getAsLong() + d.toNanos();
        return () -> (end - nanoClock.getAsLong()) / 1_000_000;
    }

    static Deadline after(Duration d) {
        return after(d, System::nanoTime);
    }
}
