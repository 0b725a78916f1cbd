package dev.currentsbridge.standins.aws;

import dev.currentsbridge.export.port.MessageVisibility;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A standard SQS queue on a virtual clock, with the semantics a retry budget depends on (SQS Developer Guide):
 * a receive returns up to 10 visible messages and hides each for the queue's visibility timeout; every receive
 * increments the message's {@code ApproximateReceiveCount}; {@code ChangeMessageVisibility} with the current
 * receipt handle hides it for a new timeout counted from the call, refused when the total since the receive
 * would exceed 12 hours; a stale receipt handle (the message was received again since) changes and deletes
 * nothing; a message whose receive count has reached {@code maxReceiveCount} moves to the dead-letter queue
 * instead of being received again (the redrive policy); a message older than the retention period is deleted
 * silently (kept here in {@link #expired()} so a test can prove nothing went that way).
 *
 * <p>It serves {@link MessageVisibility} itself, so the export handler's redelivery delays reach it directly.
 * Not thread-safe by design: {@link SimulatedEventSourceMapping} drives it from one thread.
 */
public final class SimulatedSqs implements MessageVisibility {

    /** SQS's ceiling for a message's visibility timeout, counted from its receive. */
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12);
    /** SQS's largest batch for one receive. */
    public static final int MAX_RECEIVE_BATCH = 10;

    /**
     * @param maxReceiveCount the redrive policy's {@code maxReceiveCount} (0: no dead-letter queue)
     */
    public record Settings(Duration visibilityTimeout, int maxReceiveCount, Duration retention) {
    }

    /** One receive of a message, as a consumer sees it. */
    public record Received(String messageId, String receiptHandle, String body, int receiveCount, Instant sentAt,
                           Instant firstReceivedAt, Map<String, String> messageAttributes) {
    }

    /** A message the redrive policy moved, or one that expired. */
    public record Parked(String messageId, String body, int receiveCount, Instant at) {
    }

    private static final class Message {
        final String id;
        final String body;
        final Map<String, String> attributes;
        final Instant sentAt;
        int receiveCount;
        Instant visibleAt;
        Instant receivedAt;
        Instant firstReceivedAt;
        String receiptHandle;

        Message(String id, String body, Map<String, String> attributes, Instant sentAt) {
            this.id = id;
            this.body = body;
            this.attributes = attributes;
            this.sentAt = sentAt;
            this.visibleAt = sentAt;
        }
    }

    private final String name;
    private final Settings settings;
    private final Clock clock;
    private final LinkedHashMap<String, Message> messages = new LinkedHashMap<>();
    private final List<Parked> deadLetters = new ArrayList<>();
    private final List<Parked> expired = new ArrayList<>();
    private long sequence;
    private long receives;
    private long deleted;
    private long visibilityChanges;
    private long visibilityRefusals;

    public SimulatedSqs(String name, Settings settings, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.clock = clock;
    }

    public String arn() {
        return "arn:aws:sqs:us-east-1:000000000000:" + name;
    }

    public Settings settings() {
        return settings;
    }

    public String send(String body) {
        return send(body, Map.of());
    }

    public String send(String body, Map<String, String> messageAttributes) {
        String id = name + "-" + (++sequence);
        messages.put(id, new Message(id, body, Map.copyOf(messageAttributes), clock.instant()));
        return id;
    }

    /** Up to {@code max} (at most 10) visible messages, oldest first; dead-letters and expires on the way. */
    public List<Received> receive(int max) {
        Instant now = clock.instant();
        expire(now);
        List<Received> batch = new ArrayList<>();
        var it = messages.values().iterator();
        while (it.hasNext() && batch.size() < Math.min(max, MAX_RECEIVE_BATCH)) {
            Message m = it.next();
            if (m.visibleAt.isAfter(now)) {
                continue;
            }
            if (settings.maxReceiveCount() > 0 && m.receiveCount >= settings.maxReceiveCount()) {
                it.remove();
                deadLetters.add(new Parked(m.id, m.body, m.receiveCount, now));
                continue;
            }
            m.receiveCount++;
            receives++;
            m.receivedAt = now;
            if (m.firstReceivedAt == null) {
                m.firstReceivedAt = now;
            }
            m.visibleAt = now.plus(settings.visibilityTimeout());
            m.receiptHandle = m.id + "#" + m.receiveCount;
            batch.add(new Received(m.id, m.receiptHandle, m.body, m.receiveCount, m.sentAt, m.firstReceivedAt,
                    m.attributes));
        }
        return batch;
    }

    public boolean delete(String receiptHandle) {
        Message m = byReceipt(receiptHandle);
        if (m == null) {
            return false;
        }
        messages.remove(m.id);
        deleted++;
        return true;
    }

    /** {@code ChangeMessageVisibility}: false for a stale handle or a total over 12 hours since the receive. */
    public boolean changeVisibility(String receiptHandle, Duration timeout) {
        Message m = byReceipt(receiptHandle);
        Instant now = clock.instant();
        if (m == null || timeout.isNegative()
                || Duration.between(m.receivedAt, now).plus(timeout).compareTo(MAX_VISIBILITY) > 0) {
            visibilityRefusals++;
            return false;
        }
        m.visibleAt = now.plus(timeout);
        visibilityChanges++;
        return true;
    }

    @Override
    public List<String> hide(List<Delay> delays) {
        List<String> failed = new ArrayList<>();
        for (Delay d : delays) {
            if (!arn().equals(d.queueArn()) || !changeVisibility(d.receiptHandle(), d.delay())) {
                failed.add(d.messageId());
            }
        }
        return failed;
    }

    private Message byReceipt(String receiptHandle) {
        if (receiptHandle == null || receiptHandle.indexOf('#') < 0) {
            return null;
        }
        Message m = messages.get(receiptHandle.substring(0, receiptHandle.indexOf('#')));
        return m != null && receiptHandle.equals(m.receiptHandle) ? m : null;
    }

    private void expire(Instant now) {
        var it = messages.values().iterator();
        while (it.hasNext()) {
            Message m = it.next();
            if (!m.sentAt.plus(settings.retention()).isAfter(now)) {
                it.remove();
                expired.add(new Parked(m.id, m.body, m.receiveCount, now));
            }
        }
    }

    /** When the next hidden message becomes visible (empty if none is hidden, or none is left). */
    public Optional<Instant> nextVisibleAt() {
        return messages.values().stream().map(m -> m.visibleAt).min(Instant::compareTo);
    }

    /** Messages neither deleted, dead-lettered nor expired. */
    public int depth() {
        expire(clock.instant());
        return messages.size();
    }

    public List<Parked> deadLetters() {
        return List.copyOf(deadLetters);
    }

    public List<Parked> expired() {
        return List.copyOf(expired);
    }

    public long receives() {
        return receives;
    }

    public long deleted() {
        return deleted;
    }

    public long visibilityChanges() {
        return visibilityChanges;
    }

    public long visibilityRefusals() {
        return visibilityRefusals;
    }
}
