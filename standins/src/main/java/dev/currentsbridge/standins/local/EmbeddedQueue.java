package dev.currentsbridge.standins.local;

import dev.currentsbridge.export.port.MessageVisibility;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An in-memory queue with the SQS semantics the export pipeline relies on: a received message stays hidden
 * for the visibility timeout and comes back if nobody deletes it; every receive counts; a message received
 * more than {@code maxReceiveCount} times moves to the dead-letter list instead (the redrive policy).
 * It serves the export function's {@link MessageVisibility} port as SQS's {@code ChangeMessageVisibility} does
 * (current receipt handle only, at most 12 hours), so local mode keeps the handler's redelivery pacing.
 * Thread-safe; {@link #awaitDrained} lets a replay wait until everything was consumed or dead-lettered.
 */
public final class EmbeddedQueue implements MessageVisibility {

    /** SQS's ceiling for a visibility timeout. */
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    /**
     * A message as a consumer sees it (one receive of it).
     *
     * @param attributes        SQS system attributes ({@code ApproximateReceiveCount}, {@code SentTimestamp}...)
     * @param messageAttributes the sender's String message attributes (e.g. {@code event_type})
     */
    public record Received(String messageId, String receiptHandle, String body, Map<String, String> attributes,
                           Map<String, String> messageAttributes, int receiveCount, long sentMillis) {
    }

    /** A message moved to the dead-letter list. */
    public record DeadLetter(String messageId, String body, int receiveCount) {
    }

    private static final class Entry {
        final String id;
        final String body;
        final Map<String, String> messageAttributes;
        final long sentMillis;
        int receiveCount;
        long visibleAtMillis;
        String receiptHandle;

        Entry(String id, String body, Map<String, String> messageAttributes, long sentMillis) {
            this.id = id;
            this.body = body;
            this.messageAttributes = messageAttributes;
            this.sentMillis = sentMillis;
            this.visibleAtMillis = sentMillis;
        }
    }

    private final String name;
    private final Duration visibilityTimeout;
    private final int maxReceiveCount;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> messages = new LinkedHashMap<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private long sent;
    private long deleted;
    private long visibilityChanges;

    public EmbeddedQueue(String name, Duration visibilityTimeout, int maxReceiveCount, Clock clock) {
        if (maxReceiveCount < 1) {
            throw new IllegalArgumentException("maxReceiveCount must be at least 1");
        }
        this.name = name;
        this.visibilityTimeout = visibilityTimeout;
        this.maxReceiveCount = maxReceiveCount;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    /** The queue's ARN as the Lambda event source mapping would show it. */
    public String arn() {
        return "arn:aws:sqs:local:000000000000:" + name;
    }

    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** Sends a message with String message attributes. */
    public synchronized String send(String body, Map<String, String> messageAttributes) {
        String id = UUID.randomUUID().toString();
        messages.put(id, new Entry(id, body, Map.copyOf(messageAttributes), clock.millis()));
        sent++;
        notifyAll();
        return id;
    }

    public String send(String body) {
        return send(body, Map.of());
    }

    /**
     * Up to {@code max} visible messages, waiting at most {@code wait} for the first one (long polling).
     * Messages past their receive budget are dead-lettered here, as SQS does on receive.
     */
    public synchronized List<Received> receive(int max, Duration wait) throws InterruptedException {
        long deadline = clock.millis() + wait.toMillis();
        while (true) {
            List<Received> batch = takeVisible(max);
            if (!batch.isEmpty()) {
                return batch;
            }
            long now = clock.millis();
            long sleep = Math.min(deadline, nextVisibleAt()) - now;
            if (now >= deadline) {
                return batch;
            }
            wait(Math.max(1, sleep));
        }
    }

    private List<Received> takeVisible(int max) {
        long now = clock.millis();
        List<Received> batch = new ArrayList<>();
        var it = messages.values().iterator();
        while (it.hasNext() && batch.size() < max) {
            Entry e = it.next();
            if (e.visibleAtMillis > now) {
                continue;
            }
            if (e.receiveCount >= maxReceiveCount) {
                it.remove();
                deadLetters.add(new DeadLetter(e.id, e.body, e.receiveCount));
                notifyAll();
                continue;
            }
            e.receiveCount++;
            e.visibleAtMillis = now + visibilityTimeout.toMillis();
            e.receiptHandle = e.id + "#" + e.receiveCount;
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("ApproximateReceiveCount", Integer.toString(e.receiveCount));
            attrs.put("SentTimestamp", Long.toString(e.sentMillis));
            attrs.put("ApproximateFirstReceiveTimestamp", Long.toString(now));
            batch.add(new Received(e.id, e.receiptHandle, e.body, attrs, e.messageAttributes, e.receiveCount,
                    e.sentMillis));
        }
        return batch;
    }

    private long nextVisibleAt() {
        long next = Long.MAX_VALUE;
        for (Entry e : messages.values()) {
            next = Math.min(next, e.visibleAtMillis);
        }
        return next;
    }

    /** Deletes a received message; a stale receipt handle (the message was received again since) is ignored. */
    public synchronized boolean delete(String receiptHandle) {
        String id = receiptHandle.substring(0, receiptHandle.indexOf('#'));
        Entry e = messages.get(id);
        if (e == null || !receiptHandle.equals(e.receiptHandle)) {
            return false;
        }
        messages.remove(id);
        deleted++;
        notifyAll();
        return true;
    }

    /**
     * Sets a received message visible again after {@code delay} (0 = now); false for a stale or unknown receipt
     * handle, or a delay SQS would refuse (negative, over 12 hours).
     */
    public synchronized boolean changeVisibility(String receiptHandle, Duration delay) {
        if (receiptHandle == null || receiptHandle.indexOf('#') < 0 || delay.isNegative()
                || delay.compareTo(MAX_VISIBILITY) > 0) {
            return false;
        }
        String id = receiptHandle.substring(0, receiptHandle.indexOf('#'));
        Entry e = messages.get(id);
        if (e == null || !receiptHandle.equals(e.receiptHandle)) {
            return false;
        }
        e.visibleAtMillis = clock.millis() + delay.toMillis();
        visibilityChanges++;
        notifyAll();
        return true;
    }

    /** The export handler's redelivery delays: those of another queue or a stale receive are not set. */
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

    /** How many visibility changes took effect (the handler's redelivery delays). */
    public synchronized long visibilityChanges() {
        return visibilityChanges;
    }

    /** Messages not yet deleted nor dead-lettered (visible or in flight). */
    public synchronized int depth() {
        return messages.size();
    }

    public synchronized List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }

    public synchronized long sentCount() {
        return sent;
    }

    public synchronized long deletedCount() {
        return deleted;
    }

    /**
     * Waits until every message was deleted or dead-lettered. Messages whose retries are exhausted only move
     * to the dead-letter list on their next receive, so a consumer must keep polling meanwhile. Returns false
     * early once every message left is hidden past the timeout (waiting a redelivery delay set by the function):
     * none of them can be consumed in time.
     */
    public synchronized boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = clock.millis() + timeout.toMillis();
        while (!messages.isEmpty()) {
            long left = deadline - clock.millis();
            if (left <= 0 || nextVisibleAt() > deadline) {
                return false;
            }
            wait(Math.min(left, 200));
        }
        return true;
    }

    /** Wakes pollers (used on shutdown). */
    public synchronized void wakeUp() {
        notifyAll();
    }
}
