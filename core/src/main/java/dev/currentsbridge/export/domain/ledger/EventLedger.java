package dev.currentsbridge.export.domain.ledger;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where every input event of one invocation ended, per SQS message. Each event is recorded exactly once,
 * in one {@link Outcome}; the handler lists a message in {@code batchItemFailures} iff
 * {@link #needsRedelivery} says so. A message that was never read (FIFO after a failure, deadline) is
 * {@linkplain #deferred deferred}: its events are unknown and all of them come back.
 *
 * <p>Thread-safe: concurrent Mixpanel batches record into it.
 */
public final class EventLedger {

    private final Map<String, MessageCounts> messages = new LinkedHashMap<>();

    /** Registers a message so it appears in {@link #messageIds()} even when it turns out empty. */
    public synchronized void open(String messageId) {
        messages.computeIfAbsent(messageId, id -> new MessageCounts());
    }

    public void record(String messageId, Outcome outcome, String reason) {
        record(messageId, outcome, reason, 1);
    }

    public synchronized void record(String messageId, Outcome outcome, String reason, long n) {
        if (n <= 0) {
            return;
        }
        MessageCounts c = messages.computeIfAbsent(messageId, id -> new MessageCounts());
        c.counts.merge(outcome, n, Long::sum);
        if (reason != null) {
            c.reasons.computeIfAbsent(outcome, o -> new TreeMap<>()).merge(reason, n, Long::sum);
        }
    }

    /** The message was not read in this invocation; it must be redelivered whole. */
    public synchronized void deferred(String messageId, String reason) {
        MessageCounts c = messages.computeIfAbsent(messageId, id -> new MessageCounts());
        c.deferredReason = reason;
    }

    public synchronized boolean needsRedelivery(String messageId) {
        MessageCounts c = messages.get(messageId);
        return c != null && (c.deferredReason != null || c.counts.getOrDefault(Outcome.RETRY, 0L) > 0);
    }

    /**
     * Gives a message up: its events waiting for redelivery (or, if it was never read, the whole message as one)
     * move to {@link Outcome#RETRIES_EXHAUSTED}; it no longer needs redelivery.
     *
     * @return the number of events moved
     */
    public synchronized long exhaust(String messageId) {
        MessageCounts c = messages.computeIfAbsent(messageId, id -> new MessageCounts());
        long n = c.counts.getOrDefault(Outcome.RETRY, 0L);
        c.counts.remove(Outcome.RETRY);
        c.reasons.remove(Outcome.RETRY);
        if (c.deferredReason != null) {
            c.deferredReason = null;
            n = Math.max(n, 1);
        }
        if (n > 0) {
            c.counts.merge(Outcome.RETRIES_EXHAUSTED, n, Long::sum);
            c.reasons.computeIfAbsent(Outcome.RETRIES_EXHAUSTED, o -> new TreeMap<>())
                    .merge(Outcome.RETRIES_EXHAUSTED.label, n, Long::sum);
        }
        return n;
    }

    /** Why the message must come back: its retry reasons, or the reason it was not read. */
    public synchronized List<String> retryReasons(String messageId) {
        MessageCounts c = messages.get(messageId);
        if (c == null) {
            return List.of();
        }
        List<String> reasons = new ArrayList<>(c.reasons.getOrDefault(Outcome.RETRY, Map.of()).keySet());
        if (c.deferredReason != null) {
            reasons.add(c.deferredReason);
        }
        return reasons;
    }

    public synchronized List<String> messageIds() {
        return new ArrayList<>(messages.keySet());
    }

    public synchronized long count(String messageId, Outcome outcome) {
        MessageCounts c = messages.get(messageId);
        return c == null ? 0 : c.counts.getOrDefault(outcome, 0L);
    }

    /** Events recorded for one message, all outcomes. */
    public synchronized long events(String messageId) {
        MessageCounts c = messages.get(messageId);
        return c == null ? 0 : c.counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized boolean isDeferred(String messageId) {
        MessageCounts c = messages.get(messageId);
        return c != null && c.deferredReason != null;
    }

    public synchronized Totals totals() {
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        Map<Outcome, Map<String, Long>> reasons = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0L);
            reasons.put(o, new TreeMap<>());
        }
        int deferred = 0;
        for (MessageCounts c : messages.values()) {
            c.counts.forEach((o, n) -> counts.merge(o, n, Long::sum));
            c.reasons.forEach((o, byReason) -> byReason.forEach((r, n) -> reasons.get(o).merge(r, n, Long::sum)));
            if (c.deferredReason != null) {
                deferred++;
            }
        }
        Map<Outcome, Map<String, Long>> frozen = new EnumMap<>(Outcome.class);
        reasons.forEach((o, m) -> frozen.put(o, Map.copyOf(m)));
        return new Totals(Map.copyOf(counts), Map.copyOf(frozen), messages.size(), deferred);
    }

    /**
     * Sums over the invocation.
     *
     * @param deferredMessages messages returned unread (their events are not in {@code counts})
     */
    public record Totals(Map<Outcome, Long> counts, Map<Outcome, Map<String, Long>> reasons, int messages,
                         int deferredMessages) {

        public long get(Outcome o) {
            return counts.getOrDefault(o, 0L);
        }

        /** Every event recorded, whatever its outcome: equals the number of input events read. */
        public long events() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        public Map<String, Long> reasons(Outcome o) {
            return reasons.getOrDefault(o, Map.of());
        }

        /** Counts by outcome label, for logs and the command line. */
        public Map<String, Object> asLogFields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("events", events());
            for (Outcome o : Outcome.values()) {
                m.put(o.label, get(o));
            }
            m.put("messages", messages);
            m.put("deferred_messages", deferredMessages);
            return m;
        }
    }

    private static final class MessageCounts {
        final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        final Map<Outcome, Map<String, Long>> reasons = new EnumMap<>(Outcome.class);
        String deferredReason;
    }
}
