package dev.currentsbridge.standins.time;

import com.amazonaws.services.lambda.runtime.Context;
import dev.currentsbridge.standins.local.LocalLambdaContext;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told (plus 1 ms per reading, so records get distinct times), a {@link Sleeper}
 * that advances it instead of waiting, and Lambda {@link Context}s whose remaining time follows it: fault
 * schedules with long backoffs and deadlines run in microseconds and replay exactly.
 */
public final class ManualClock extends Clock {

    private final AtomicLong millis;
    private final AtomicLong slept = new AtomicLong();

    public ManualClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public ManualClock() {
        this(Instant.parse("2026-11-28T12:00:00Z"));
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    public Instant peek() {
        return Instant.ofEpochMilli(millis.get());
    }

    /** Total time "slept" through {@link #sleeper()}. */
    public Duration slept() {
        return Duration.ofMillis(slept.get());
    }

    public Sleeper sleeper() {
        return d -> {
            slept.addAndGet(d.toMillis());
            advance(d);
        };
    }

    /** A Lambda context with {@code remaining} left from now, on this clock. */
    public Context contextWith(Duration remaining) {
        Instant end = peek().plus(remaining);
        return new LocalLambdaContext("test", 1024, () -> Duration.between(peek(), end).toMillis());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.incrementAndGet());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
