package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.local.LocalLambdaContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One Lambda container of the export function behind the SQS event source mapping: its own {@link ExportHandler}
 * (one per container, as Lambda builds one per sandbox), invoked one batch after another with a context whose
 * deadline is the function's timeout. Between invocations it does what the mapping does: receive up to 10
 * (long polling), delete what the handler did not return, leave returned messages with the visibility they have,
 * and after a function error pause this poller (Lambda "gradually backs off, reducing the concurrency allocated to
 * the mapping"; modelled as 1 s doubling to 60 s per consecutive error, reset by a good invocation).
 */
final class BacklogContainer implements Runnable {

    static final String FUNCTION_NAME = "currents-bridge-export";
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** Counters shared by all containers of one run. */
    static final class Totals {
        final AtomicLong invocations = new AtomicLong();
        final AtomicLong messagesReceived = new AtomicLong();
        final AtomicLong messagesDeleted = new AtomicLong();
        final AtomicLong messagesReturned = new AtomicLong();
        final AtomicLong functionErrors = new AtomicLong();
        final AtomicLong billedNanos = new AtomicLong();
        final AtomicLong backoffNanos = new AtomicLong();
        final AtomicInteger running = new AtomicInteger();
        /** Retry waits slept inside invocations (the handler's Mixpanel backoff after a 429). */
        final AtomicLong retrySleeps = new AtomicLong();
        final AtomicLong retrySleepNanos = new AtomicLong();
        /** Redelivery delays the handler set on returned messages ({@code ChangeMessageVisibility}). */
        final AtomicLong delaysSet = new AtomicLong();
        final AtomicLong delaySecondsSum = new AtomicLong();
        final AtomicLong delaySecondsMax = new AtomicLong();

        /** The handler's sleeper: sleeps for real and counts it. */
        Sleeper countingSleeper() {
            return d -> {
                long t0 = System.nanoTime();
                try {
                    Sleeper.REAL.sleep(d);
                } finally {
                    retrySleeps.incrementAndGet();
                    retrySleepNanos.addAndGet(System.nanoTime() - t0);
                }
            };
        }

        /** The handler's visibility port: the real one, with each delay it is asked to set counted. */
        MessageVisibility counting(MessageVisibility real) {
            return delays -> {
                for (MessageVisibility.Delay d : delays) {
                    delaysSet.incrementAndGet();
                    delaySecondsSum.addAndGet(d.delay().toSeconds());
                    delaySecondsMax.accumulateAndGet(d.delay().toSeconds(), Math::max);
                }
                return real.hide(delays);
            };
        }
    }

    private final SqsLambdaPoller poller;
    private final ExportHandler handler;
    private final Duration functionTimeout;
    private final Map<String, String> outstanding;
    private final AtomicBoolean stop;
    private final Totals totals;

    /**
     * @param outstanding message id -> latest receipt handle of every message received and not deleted (shared):
     *                    what the harness makes visible again to count what is still queued when it stops
     */
    BacklogContainer(SqsClient sqs, String queueUrl, ExportHandler handler, Duration functionTimeout,
                     Map<String, String> outstanding, AtomicBoolean stop, Totals totals) {
        this.poller = SqsLambdaPoller.asLambda(sqs, queueUrl);
        this.handler = handler;
        this.functionTimeout = functionTimeout;
        this.outstanding = outstanding;
        this.stop = stop;
        this.totals = totals;
    }

    @Override
    public void run() {
        Duration backoff = Duration.ZERO;
        while (!stop.get() && !Thread.currentThread().isInterrupted()) {
            SQSEvent[] event = {null};
            SQSBatchResponse[] response = {null};
            SqsLambdaPoller.Invocation inv;
            try {
                inv = poller.invoke(10, 1, e -> {
                    event[0] = e;
                    e.getRecords().forEach(m -> outstanding.put(m.getMessageId(), m.getReceiptHandle()));
                    totals.running.incrementAndGet();
                    try {
                        response[0] = handler.handleRequest(e, LocalLambdaContext.withTimeout(FUNCTION_NAME,
                                functionTimeout, 1024));
                        return response[0];
                    } finally {
                        totals.running.decrementAndGet();
                    }
                });
            } catch (SdkException e) {
                if (stop.get()) {
                    return;
                }
                sleep(Duration.ofMillis(100));
                continue;
            }
            if (inv.received() == 0) {
                continue;
            }
            totals.invocations.incrementAndGet();
            totals.messagesReceived.addAndGet(inv.received());
            totals.messagesDeleted.addAndGet(inv.deleted());
            totals.messagesReturned.addAndGet(inv.failed());
            totals.billedNanos.addAndGet(inv.durationNanos());
            if (inv.functionError()) {
                totals.functionErrors.incrementAndGet();
                backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
                long t0 = System.nanoTime();
                sleep(backoff);
                totals.backoffNanos.addAndGet(System.nanoTime() - t0);
                continue;
            }
            backoff = Duration.ZERO;
            Set<String> returned = new HashSet<>();
            if (response[0] != null && response[0].getBatchItemFailures() != null) {
                response[0].getBatchItemFailures().forEach(f -> returned.add(f.getItemIdentifier()));
            }
            for (SQSEvent.SQSMessage m : event[0].getRecords()) {
                if (!returned.contains(m.getMessageId())) {
                    outstanding.remove(m.getMessageId());
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
