package dev.currentsbridge.cli.local;

import dev.currentsbridge.standins.local.EmbeddedQueue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.standins.aws.SqsEvents;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.export.BatchReturnedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * What Lambda's SQS event source mapping does, on one thread: receive batches of up to {@code batchSize},
 * hand them to the function as an {@link SQSEvent} (with {@code ApproximateReceiveCount} and {@code SentTimestamp}),
 * delete the messages it did not list in {@code batchItemFailures}. A thrown exception (the export function's
 * {@link BatchReturnedException} when every message of a batch comes back) fails the whole batch: nothing is
 * deleted and the worker backs off before its next poll, as Lambda reduces its polling after function errors
 * (AWS publishes no rates: a pause of 1 s doubling to 1 min, reset by a batch that succeeds). Returned messages
 * come back when the visibility the function set ends (the export handler's redelivery delays, through the
 * queue's {@code MessageVisibility}), else after the queue's visibility timeout, until the queue dead-letters them.
 */
public final class QueueWorker implements AutoCloseable {

    private static final Log LOG = Log.get(QueueWorker.class);
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    private final EmbeddedQueue queue;
    private final int batchSize;
    private final BiFunction<SQSEvent, Context, SQSBatchResponse> function;
    private final LocalContext.Factory contexts;
    private final Thread thread;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong failedDeliveries = new AtomicLong();
    private final AtomicLong functionErrors = new AtomicLong();
    private volatile boolean running = true;
    private volatile Duration pause = Duration.ZERO;

    public QueueWorker(EmbeddedQueue queue, int batchSize, BiFunction<SQSEvent, Context, SQSBatchResponse> function,
                       LocalContext.Factory contexts) {
        this.queue = queue;
        this.batchSize = batchSize;
        this.function = function;
        this.contexts = contexts;
        this.thread = Thread.ofPlatform().daemon().name("queue-" + queue.name()).unstarted(this::loop);
    }

    public QueueWorker start() {
        thread.start();
        return this;
    }

    public long batches() {
        return batches.get();
    }

    /** Messages reported in batchItemFailures or part of a batch whose invocation threw. */
    public long failedDeliveries() {
        return failedDeliveries.get();
    }

    public long functionErrors() {
        return functionErrors.get();
    }

    /** The wait before the next poll: zero after a batch that succeeded, growing with consecutive function errors. */
    public Duration pause() {
        return pause;
    }

    private void loop() {
        while (running) {
            try {
                List<EmbeddedQueue.Received> received = queue.receive(batchSize, Duration.ofMillis(500));
                if (!received.isEmpty() && !deliver(received)) {
                    Thread.sleep(pause.toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One invocation with one batch (also used directly by tests); false on a function error. */
    boolean deliver(List<EmbeddedQueue.Received> received) {
        batches.incrementAndGet();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (EmbeddedQueue.Received r : received) {
            SQSEvent.SQSMessage m = SqsEvents.message(r.messageId(), r.receiptHandle(), r.body(), r.attributes(),
                    r.messageAttributes(), queue.arn(), "local");
            m.setMd5OfBody(md5(r.body()));
            records.add(m);
        }
        SQSEvent event = SqsEvents.of(records);
        Set<String> failed = new HashSet<>();
        try {
            SQSBatchResponse response = function.apply(event, contexts.next());
            if (response != null && response.getBatchItemFailures() != null) {
                response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
            }
        } catch (RuntimeException e) {
            // Lambda treats a thrown error as "the whole batch failed": nothing is deleted, every message returns
            // when its visibility ends (what the function set, else the queue's timeout), and polling backs off.
            functionErrors.incrementAndGet();
            pause = pause.isZero() ? FIRST_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
            if (e instanceof BatchReturnedException) {
                LOG.warn("export function returned the whole batch: backing off", "messages", received.size(),
                        "pause_ms", pause.toMillis());
            } else {
                LOG.error("export function failed the whole batch: backing off", "error", e.getClass().getSimpleName(),
                        "messages", received.size(), "pause_ms", pause.toMillis());
            }
            failedDeliveries.addAndGet(received.size());
            return false;
        }
        pause = Duration.ZERO;
        for (EmbeddedQueue.Received r : received) {
            if (failed.contains(r.messageId())) {
                failedDeliveries.incrementAndGet();
            } else {
                queue.delete(r.receiptHandle());
            }
        }
        return true;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String md5(String body) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5")
                    .digest(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        queue.wakeUp();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
