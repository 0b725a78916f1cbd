package dev.currentsbridge.export.domain.redelivery;

import java.time.Duration;

/**
 * How long the export queue keeps trying a message, and when it gives up. Every receive of a message counts
 * ({@code ApproximateReceiveCount}); a message returned on receive {@code r} stays hidden for {@link #delay}
 * (exponential in {@code r}, capped below SQS's 12-hour maximum), so {@code maxReceives} receives span
 * {@link #span} of wall-clock time. On its last allowed receive ({@link #lastReceive}) a message that would be
 * returned is rejected instead ({@code retries_exhausted}), so SQS never parks it in the dead-letter queue.
 *
 * <p>The arithmetic (docs/RELIABILITY.md, "Retry budget"): with {@link #QUEUE_MAX_RECEIVES} = 16, a transient
 * outage is survived for {@link #span}(TRANSIENT) = 104 h 5 min, a configuration error for 145 h 10 min; both
 * fit the queue's 14-day retention with more than a week to spare for a backlog.
 *
 * <p>Retention: a message that waited in a backlog before (or between) its receives may not live long enough for
 * the rest of its budget. When its next delay would end within {@link #RETENTION_MARGIN} of the queue's retention
 * ({@link #outlivesRetention}), it is given up now like on its last receive, instead of SQS deleting it silently.
 *
 * @param maxReceives the queue's {@code maxReceiveCount} (0: unknown, never give up; the queue decides)
 * @param retention   the queue's {@code MessageRetentionPeriod} (zero: unknown, no retention guard)
 */
public record RetryBudget(int maxReceives, Duration transientFirst, Duration configurationFirst, Duration maxDelay,
                          Duration retention) {

    /** The export queue's {@code maxReceiveCount}: CDK and SAM set it and {@code EXPORT_MAX_RECEIVES} from this. */
    public static final int QUEUE_MAX_RECEIVES = 16;
    /** The export queue's retention: SQS's maximum. */
    public static final Duration QUEUE_RETENTION = Duration.ofDays(14);
    /**
     * How long before its retention ends a message is given up: after its delay a message may wait visible in a
     * backlog before a poller receives it again, and the invocation that receives it needs time to send it to the
     * rejects queue. At the event source's cap (5 concurrent batches of 10, rounds of at most 120 s) a day drains
     * over 300,000 messages.
     */
    public static final Duration RETENTION_MARGIN = Duration.ofDays(1);
    /** The outage the budget is built to outlast with nothing given up. */
    public static final Duration DESIGN_OUTAGE = Duration.ofHours(72);

    /**
     * SQS refuses a visibility timeout that makes a message's total time hidden since its receive exceed 12 hours;
     * the invocation has used at most its timeout (120 s) plus the batching window (5 s) by then: 10 minutes margin.
     */
    public static final Duration MAX_DELAY = Duration.ofHours(12).minusMinutes(10);
    /** A 5xx/429/timeout outage: retry soon, then less and less often. */
    public static final Duration TRANSIENT_FIRST = Duration.ofMinutes(5);
    /** A 401/403/bad secret waits for a person: a slow clock from the start, so it burns few receives. */
    public static final Duration CONFIGURATION_FIRST = Duration.ofHours(1);

    public RetryBudget {
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("EXPORT_QUEUE_RETENTION_SECONDS must not be negative, got " + retention);
        }
        if (maxReceives < 0 || maxReceives > 1000) {
            throw new IllegalArgumentException("EXPORT_MAX_RECEIVES must be between 1 and 1000 (SQS's maxReceiveCount),"
                    + " got " + maxReceives);
        }
    }

    /** The production schedule for a queue with this {@code maxReceiveCount} (0: unknown). */
    public static RetryBudget of(int maxReceives) {
        return of(maxReceives, Duration.ZERO);
    }

    /** The production schedule for a queue with this {@code maxReceiveCount} and retention (zero: unknown). */
    public static RetryBudget of(int maxReceives, Duration retention) {
        return new RetryBudget(maxReceives, TRANSIENT_FIRST, CONFIGURATION_FIRST, MAX_DELAY, retention);
    }

    /** No known limit: messages are never given up by the handler (the queue's redrive policy, if any, decides). */
    public static RetryBudget unlimited() {
        return of(0);
    }

    public boolean limited() {
        return maxReceives > 0;
    }

    /** This receive is the last the queue allows: a message returned now would go to the dead-letter queue. */
    public boolean lastReceive(int receiveCount) {
        return limited() && receiveCount >= maxReceives;
    }

    /**
     * A message to be returned is given up now instead: on its last allowed receive, or when it would not outlive
     * its next delay (see {@link #outlivesRetention}).
     *
     * @param age how long ago the message was sent (SQS {@code SentTimestamp}; zero when unknown)
     */
    public boolean givesUp(int receiveCount, Duration age) {
        return lastReceive(receiveCount) || !outlivesRetention(receiveCount, age);
    }

    /**
     * The message, {@code age} old on receive {@code receiveCount}, can still be returned: its next delay ends
     * more than {@link #RETENTION_MARGIN} before the queue's retention does. The delay taken is the longer of the
     * two schedules', since a message returned unread shares its batch's cause. Always true without a retention.
     */
    public boolean outlivesRetention(int receiveCount, Duration age) {
        if (retention.isZero() || age == null) {
            return true;
        }
        Duration next = max(delay(receiveCount, RetryCause.TRANSIENT), delay(receiveCount, RetryCause.CONFIGURATION));
        return age.plus(next).plus(RETENTION_MARGIN).compareTo(retention) < 0;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** How long a message returned on receive {@code receiveCount} (1 = first) stays hidden. */
    public Duration delay(int receiveCount, RetryCause cause) {
        Duration first = cause == RetryCause.CONFIGURATION ? configurationFirst : transientFirst;
        int doublings = Math.min(Math.max(receiveCount, 1) - 1, 30);
        long millis = first.toMillis() << Math.min(doublings, 20);
        return millis <= 0 || millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis(millis);
    }

    /**
     * The least time from a message's first receive to its last: the sum of the delays of the
     * {@code maxReceives - 1} returns before it. An outage shorter than this never exhausts a message.
     */
    public Duration span(RetryCause cause) {
        Duration total = Duration.ZERO;
        for (int r = 1; r < maxReceives; r++) {
            total = total.plus(delay(r, cause));
        }
        return total;
    }
}
