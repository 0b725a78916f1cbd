package dev.currentsbridge.cohorts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves 1 ms per reading (so postbacks get distinct arrival times) and jumps on demand. */
final class TestClock extends Clock {
    private final AtomicLong millis;

    TestClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    TestClock() {
        this(Instant.parse("2026-11-28T12:00:00Z"));
    }

    void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    /** The current time without moving the clock. */
    Instant peek() {
        return Instant.ofEpochMilli(millis.get());
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
