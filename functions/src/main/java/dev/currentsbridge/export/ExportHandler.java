package dev.currentsbridge.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.SqsExportBatch;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.ExportMappingSettings;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.pipeline.RetryExhaustion;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.export.pipeline.ExportPipeline;
import dev.currentsbridge.export.pipeline.ExportResult;
import dev.currentsbridge.export.pipeline.ExportSetup;
import dev.currentsbridge.export.pipeline.QueueMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.crac.Core;
import org.crac.Resource;

/**
 * The export Lambda: SQS export queue -> Mixpanel {@code /import}, with {@code ReportBatchItemFailures}.
 * A message is in {@code batchItemFailures} iff some of its events were neither imported, nor sent to the
 * rejects queue, nor skipped by rule. All the work is in {@link ExportPipeline}; this class converts SQS
 * types, writes the summary log line and the EMF metrics, and paces redelivery (docs/RELIABILITY.md,
 * "Retry budget"): each returned message is hidden for its {@link RetryBudget} delay
 * ({@code ChangeMessageVisibility}), a message on its last allowed receive ({@code EXPORT_MAX_RECEIVES}) is
 * given up to the rejects queue instead of the DLQ, and a batch returned whole fails the invocation
 * ({@link BatchReturnedException}) so that Lambda's poller backs off.
 *
 * <p>Reads {@code MIXPANEL_REGION}, {@code MIXPANEL_API_URL}, {@code MIXPANEL_SECRET_ID},
 * {@code REJECTS_QUEUE_URL}, {@code EXPORT_EVENT_TYPES}, {@code EXPORT_EVENT_NAMES}, {@code IDENTITY_MODE}, {@code EXPORT_ANONYMOUS},
 * {@code MIXPANEL_CONCURRENCY}, {@code EXPORT_MAX_RECEIVES}, {@code EXPORT_QUEUE_RETENTION_SECONDS} (a message whose next
 * delay would end within a day of the queue's retention is given up like on its last receive), {@code FORWARD_DELETIONS}
 * ({@link ExportDeletions}).
 */
public final class ExportHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {

    private static final Log LOG = Log.get(ExportHandler.class);

    /** What the function answers when every message of a batch must come back. */
    public enum WholeBatchReturned {
        /** Answer with every message in {@code batchItemFailures} (local mode, tests that inspect the answer). */
        ANSWER,
        /** Throw {@link BatchReturnedException} so that Lambda's poller backs off (the deployed function). */
        FAIL_INVOCATION
    }

    private final ExportPorts ports;
    private final ExportPipeline pipeline;
    private final RetryBudget budget;
    private final WholeBatchReturned wholeBatchReturned;
    private final Clock clock;

    /** Lambda's constructor: real clients, built once at init (before the SnapStart snapshot). */
    public ExportHandler() {
        this(ExportPorts.fromAws(AwsClients.fromEnvironment(Env.system()), Env.system()), Env.system(),
                Sleeper.REAL, new SplittableRandom(), WholeBatchReturned.FAIL_INVOCATION);
        Core.getGlobalContext().register(this);
    }

    public ExportHandler(ExportPorts ports, Env env) {
        this(ports, env, Sleeper.REAL, new SplittableRandom());
    }

    /** Tests and fault injection: a fake sleeper and a seeded jitter source. */
    public ExportHandler(ExportPorts ports, Env env, Sleeper sleeper, RandomGenerator jitter) {
        this(ports, env, sleeper, jitter, WholeBatchReturned.ANSWER);
    }

    /** As the deployed function behaves, with a fake sleeper and a seeded jitter source (soak tests, benchmarks). */
    public ExportHandler(ExportPorts ports, Env env, Sleeper sleeper, RandomGenerator jitter,
                         WholeBatchReturned wholeBatchReturned) {
        this(ports, env, sleeper, jitter, wholeBatchReturned, Clock.systemUTC());
    }

    /** As deployed, on a given clock: the one messages are aged by against the queue's retention (soak tests). */
    public ExportHandler(ExportPorts ports, Env env, Sleeper sleeper, RandomGenerator jitter,
                         WholeBatchReturned wholeBatchReturned, Clock clock) {
        this.clock = clock;
        this.ports = ports;
        ExportSetup setup = new ExportSetup(mapper(env), ports.mixpanel(), ports.rejects(),
                RetryPolicy.mixpanel(jitter), sleeper, settings(env), BatchLimits.MIXPANEL)
                .withEngage(ports.engage())
                .withDeletions(ExportDeletions.forwarding(env, ports, jitter, sleeper));
        this.pipeline = new ExportPipeline(setup, ports.objects());
        this.budget = budget(env);
        this.wholeBatchReturned = wholeBatchReturned;
    }

    /**
     * {@code EXPORT_MAX_RECEIVES}: the queue's {@code maxReceiveCount}; unset: never give a message up here.
     * {@code EXPORT_QUEUE_RETENTION_SECONDS}: the queue's retention (SQS: 60 to 1,209,600); unset: not guarded.
     */
    private static RetryBudget budget(Env env) {
        try {
            int max = env.getInt("EXPORT_MAX_RECEIVES", 0);
            if (env.optional("EXPORT_MAX_RECEIVES").isPresent() && max < 1) {
                throw new IllegalArgumentException("EXPORT_MAX_RECEIVES must be at least 1, got " + max);
            }
            int retention = env.getInt("EXPORT_QUEUE_RETENTION_SECONDS", 0);
            if (env.optional("EXPORT_QUEUE_RETENTION_SECONDS").isPresent() && (retention < 60 || retention > 1_209_600)) {
                throw new IllegalArgumentException("EXPORT_QUEUE_RETENTION_SECONDS must be between 60 and 1209600"
                        + " (SQS's MessageRetentionPeriod), got " + retention);
            }
            return RetryBudget.of(max, Duration.ofSeconds(retention));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static EventMapper mapper(Env env) {
        return ExportMappingSettings.mapper(env);
    }

    private static DeliverySettings settings(Env env) {
        try {
            return DeliverySettings.defaults(env.getInt("MIXPANEL_CONCURRENCY", 4));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        long started = System.nanoTime();
        Deadline deadline = context == null ? Deadline.none() : context::getRemainingTimeInMillis;
        SqsExportBatch batch = SqsExportBatch.of(event, clock.instant());
        ExportResult result;
        try {
            result = pipeline.process(batch.messages(), deadline, batch.fifo(), budget);
        } catch (RuntimeException e) {
            // A bug must not lose events: every message comes back (or, on its last receive, goes to the rejects).
            LOG.error("export failed unexpectedly: returning every message", "error", e.getClass().getName(),
                    "messages", batch.messages().size());
            return afterUnexpectedFailure(batch);
        }
        LOG.info("export batch done", "totals", result.ledger().totals().asLogFields(),
                "returned_messages", result.returnedMessageIds().size(), "fifo", batch.fifo(),
                "mixpanel_requests", result.stats().requests(), "mixpanel_retries", result.stats().retries(),
                "duration_ms", (System.nanoTime() - started) / 1_000_000);
        Metrics metrics = new Metrics(FunctionName.EXPORT);
        result.writeMetrics(metrics);
        metrics.flush();
        delayRedelivery(batch, result.returnedMessageIds(), result.causes());
        if (result.everyMessageReturned() && wholeBatchReturned == WholeBatchReturned.FAIL_INVOCATION) {
            throw new BatchReturnedException("every message of the batch returned for retry ("
                    + result.ledger().totals().reasons(Outcome.RETRY).keySet()
                    + "): failing the invocation so that the SQS poller backs off");
        }
        return SqsExportBatch.returning(result.returnedMessageIds());
    }

    /** Hides each returned message for its budget delay; one that cannot be delayed comes back after 720 s. */
    private void delayRedelivery(SqsExportBatch batch, List<String> returned, Function<String, RetryCause> cause) {
        if (returned.isEmpty()) {
            return;
        }
        List<MessageVisibility.Delay> delays = batch.delays(returned, cause, budget);
        List<String> failed;
        try {
            failed = ports.visibility().hide(delays);
        } catch (RuntimeException e) {
            failed = delays.stream().map(MessageVisibility.Delay::messageId).toList();
        }
        if (!failed.isEmpty()) {
            LOG.warn("redelivery delay not set: those messages come back after the queue's visibility timeout",
                    "messages", failed.size());
        }
    }

    private SQSBatchResponse afterUnexpectedFailure(SqsExportBatch batch) {
        EventLedger ledger = new EventLedger();
        List<QueueMessage> lastChance = new ArrayList<>();
        for (QueueMessage m : batch.messages()) {
            ledger.deferred(m.id(), "internal_error");
            if (budget.givesUp(m.receiveCount(), m.age())) {
                lastChance.add(m);
            }
        }
        Set<String> givenUp = new HashSet<>(RetryExhaustion.giveUp(lastChance, ledger, ports.rejects()));
        List<String> returned = batch.messages().stream().map(QueueMessage::id).filter(id -> !givenUp.contains(id))
                .toList();
        delayRedelivery(batch, returned, id -> RetryCause.TRANSIENT);
        if (!returned.isEmpty() && returned.size() == batch.messages().size()
                && wholeBatchReturned == WholeBatchReturned.FAIL_INVOCATION) {
            throw new BatchReturnedException("export failed unexpectedly: every message of the batch returned");
        }
        return SqsExportBatch.returning(returned);
    }

    /** SnapStart priming: see {@link ExportPriming}. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        ExportPriming.prime(pipeline.setup().mapper(), ports);
        LOG.info("export function primed for snapshot");
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing cached before the snapshot is stale: priming read no secret and opened no connection.
    }
}
