package dev.currentsbridge.standins.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.standins.local.LocalLambdaContext;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Lambda's SQS event source mapping over a {@link SimulatedSqs}, on a virtual clock, in rounds: each round
 * polls up to the allowed number of batches at once (never more than {@code MaximumConcurrency}) and invokes
 * the function with each as an {@link SQSEvent} carrying the receipt handle and {@code ApproximateReceiveCount};
 * then, as Lambda does with {@code ReportBatchItemFailures}, deletes what the answer did not list and leaves
 * the listed messages alone (they come back when their visibility ends: the queue's timeout, or what the
 * function set). A function error leaves the whole batch alone and makes the mapping back off: fewer
 * concurrent batches and a pause before the next poll. AWS publishes no rates for either direction, so this
 * model halves the concurrency and doubles a pause (10 s to 5 min) after a round with errors, and adds 5 to the
 * concurrency after a clean round; what a test may rely on is only the direction.
 *
 * <p>Time: the invocations of a round all start at the round's time; the function's waits (its {@link #sleeper})
 * count against its own timeout without moving the clock, and the round ends after the longest invocation
 * (at least one second). Calls the function makes on the queue take effect at the round's time, at most one
 * function timeout earlier than on AWS.
 */
public final class SimulatedEventSourceMapping {

    /**
     * @param maximumConcurrency the event source's {@code ScalingConfig.MaximumConcurrency}
     */
    public record Settings(int batchSize, int maximumConcurrency, Duration functionTimeout) {
    }

    /** The function: Lambda's handler signature. */
    public interface Function extends BiFunction<SQSEvent, Context, SQSBatchResponse> {
    }

    private static final int INITIAL_CONCURRENCY = 5;
    private static final int SCALE_UP_PER_ROUND = 5;
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(10);
    private static final Duration MAX_PAUSE = Duration.ofMinutes(5);

    private final SimulatedSqs queue;
    private final Settings settings;
    private final ManualClock clock;
    private final Function function;
    private volatile AtomicLong current;
    private int allowed;
    private Duration pause = Duration.ZERO;
    private long invocations;
    private long functionErrors;
    private long rounds;
    private int mostConcurrent;
    private int leastAllowed = Integer.MAX_VALUE;

    public SimulatedEventSourceMapping(SimulatedSqs queue, Settings settings, ManualClock clock, Function function) {
        this.queue = queue;
        this.settings = settings;
        this.clock = clock;
        this.function = function;
        this.allowed = Math.min(INITIAL_CONCURRENCY, settings.maximumConcurrency());
    }

    /** The function's sleeper: waits count against the current invocation's timeout, the clock stays. */
    public Sleeper sleeper() {
        return d -> {
            AtomicLong spent = current;
            if (spent != null) {
                spent.addAndGet(d.toMillis());
            }
        };
    }

    /** Runs rounds until {@code end}; {@code beforeRound} sees the time of each round (to change the world). */
    public void runUntil(Instant end, Consumer<Instant> beforeRound) {
        while (clock.peek().isBefore(end)) {
            beforeRound.accept(clock.peek());
            if (!round()) {
                Instant next = queue.nextVisibleAt().orElse(end);
                Instant target = next.isAfter(end) ? end : next;
                Duration gap = Duration.between(clock.peek(), target);
                clock.advance(gap.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : gap);
            }
        }
    }

    /** One round; false if there was nothing to receive. */
    private boolean round() {
        List<List<SimulatedSqs.Received>> batches = new ArrayList<>();
        for (int i = 0; i < allowed; i++) {
            List<SimulatedSqs.Received> batch = queue.receive(settings.batchSize());
            if (batch.isEmpty()) {
                break;
            }
            batches.add(batch);
        }
        if (batches.isEmpty()) {
            return false;
        }
        rounds++;
        mostConcurrent = Math.max(mostConcurrent, batches.size());
        long longest = 1000;
        int errors = 0;
        for (List<SimulatedSqs.Received> batch : batches) {
            AtomicLong spent = new AtomicLong();
            current = spent;
            try {
                if (!invoke(batch, spent)) {
                    errors++;
                }
            } finally {
                current = null;
            }
            longest = Math.max(longest, Math.min(spent.get(), settings.functionTimeout().toMillis()));
        }
        if (errors > 0) {
            allowed = Math.max(1, allowed / 2);
            pause = pause.isZero() ? FIRST_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
        } else {
            allowed = Math.min(settings.maximumConcurrency(), allowed + SCALE_UP_PER_ROUND);
            pause = Duration.ZERO;
        }
        leastAllowed = Math.min(leastAllowed, allowed);
        clock.advance(Duration.ofMillis(longest).plus(pause));
        return true;
    }

    /** One invocation; false on a function error (an exception). */
    private boolean invoke(List<SimulatedSqs.Received> batch, AtomicLong spent) {
        invocations++;
        SQSEvent event = event(batch);
        long timeout = settings.functionTimeout().toMillis();
        Context context = new LocalLambdaContext("export", 1024, () -> timeout - spent.get());
        SQSBatchResponse response;
        try {
            response = function.apply(event, context);
        } catch (RuntimeException e) {
            functionErrors++;
            return false; // Lambda leaves every message of the batch: each comes back when its visibility ends
        }
        Set<String> failed = new HashSet<>();
        if (response != null && response.getBatchItemFailures() != null) {
            response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        }
        for (SimulatedSqs.Received r : batch) {
            if (!failed.contains(r.messageId())) {
                queue.delete(r.receiptHandle());
            }
        }
        return true;
    }

    private SQSEvent event(List<SimulatedSqs.Received> batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (SimulatedSqs.Received r : batch) {
            records.add(SqsEvents.message(r.messageId(), r.receiptHandle(), r.body(), Map.of(
                    "ApproximateReceiveCount", Integer.toString(r.receiveCount()),
                    "SentTimestamp", Long.toString(r.sentAt().toEpochMilli()),
                    "ApproximateFirstReceiveTimestamp", Long.toString(r.firstReceivedAt().toEpochMilli())),
                    r.messageAttributes(), queue.arn(), "us-east-1"));
        }
        return SqsEvents.of(records);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public long invocations() {
        return invocations;
    }

    public long functionErrors() {
        return functionErrors;
    }

    public long rounds() {
        return rounds;
    }

    /** The most batches one round invoked at once: never above {@code MaximumConcurrency}. */
    public int mostConcurrent() {
        return mostConcurrent;
    }

    /** The lowest concurrency the mapping backed off to. */
    public int leastAllowed() {
        return leastAllowed == Integer.MAX_VALUE ? allowed : leastAllowed;
    }
}
