package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.port.MixpanelEngage;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;
import java.util.ArrayList;
import java.util.List;

/**
 * One export invocation, as plain Java: classify each queue message, decode its events (streaming S3 files),
 * map them, deliver them to Mixpanel in concurrent batches, send rejects to the rejects queue, and account for
 * every event in an {@link EventLedger}. The handler only converts SQS types and writes logs and metrics.
 *
 * <p>Standard queues: events of many messages share batches; a message is returned iff some of its events
 * must be retried. FIFO queues: messages are finished one at a time in order; at the first message that
 * must be retried the rest are left unread and returned with it, so order is kept. A message not started
 * while the deadline still allows a request is returned unread.
 *
 * <p>A message that would be returned on the last receive its {@link RetryBudget} allows is given up instead
 * ({@link RetryExhaustion}): rejected whole with {@code retries_exhausted}, never parked in the dead-letter queue;
 * so is one too old to outlive its next delay within the queue's retention ({@link RetryBudget#givesUp}).
 */
public final class ExportPipeline {

    private static final int REJECTS_PER_FLUSH = 10;

    private final ExportSetup setup;
    private final MessageReader reader;

    public ExportPipeline(ExportSetup setup, ObjectSource objects) {
        this(setup, new MessageReader(new S3FileReader(objects, setup.settings().reserve())));
    }

    private ExportPipeline(ExportSetup setup, MessageReader reader) {
        this.setup = setup;
        this.reader = reader;
    }

    /** The same pipeline, with selected profile updates delivered to {@code engage} (null: as {@code /import} events). */
    public ExportPipeline withEngage(MixpanelEngage engage) {
        return new ExportPipeline(setup.withEngage(engage), reader);
    }

    public ExportPipeline(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, ObjectSource objects,
                          RetryPolicy retryPolicy, Sleeper sleeper, DeliverySettings settings, BatchLimits limits) {
        this(new ExportSetup(mapper, mixpanel, rejectSink, retryPolicy, sleeper, settings, limits), objects);
    }

    public ExportSetup setup() {
        return setup;
    }

    public ExportResult process(List<QueueMessage> messages, Deadline deadline, boolean fifo) {
        return process(messages, deadline, fifo, RetryBudget.unlimited());
    }

    public ExportResult process(List<QueueMessage> messages, Deadline deadline, boolean fifo, RetryBudget budget) {
        DeliverySettings settings = setup.settings();
        EventLedger ledger;
        DeliveryStats stats;
        try (ExportRun run = setup.start(deadline, REJECTS_PER_FLUSH)) {
            ledger = run.ledger();
            boolean stopped = false;
            for (QueueMessage m : messages) {
                run.open(m.id());
                if (stopped) {
                    ledger.deferred(m.id(), "fifo_after_failure");
                    continue;
                }
                if (!deadline.allows(settings.minRequestTime(), settings.reserve())) {
                    ledger.deferred(m.id(), "deadline");
                    continue;
                }
                reader.read(m, run, deadline);
                if (fifo) {
                    run.drain();
                    if (ledger.needsRedelivery(m.id())) {
                        stopped = true;
                    }
                }
            }
            run.drain();
            stats = run.stats();
        }
        // Only once the run is closed: a failure closing it makes the caller return (or give up) every message, so
        // a message given up before that would reach the rejects queue twice.
        List<QueueMessage> lastChance = new ArrayList<>();
        for (QueueMessage m : messages) {
            if (ledger.needsRedelivery(m.id()) && budget.givesUp(m.receiveCount(), m.age())) {
                lastChance.add(m);
            }
        }
        List<String> exhausted = RetryExhaustion.giveUp(lastChance, ledger, setup.rejectSink());
        List<String> returned = new ArrayList<>();
        for (QueueMessage m : messages) {
            if (ledger.needsRedelivery(m.id())) {
                returned.add(m.id());
            }
        }
        return new ExportResult(ledger, returned, exhausted, stats);
    }
}
