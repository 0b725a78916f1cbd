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
import dev.currentsbridge.export.pipeline.ExportPipeline;
import dev.currentsbridge.export.pipeline.ExportResult;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.crac.Core;
import org.crac.Resource;

/**
 * The export Lambda: SQS export queue -> Mixpanel {@code /import}, with {@code ReportBatchItemFailures}.
 * A message is in {@code batchItemFailures} iff some of its events were neither imported, nor sent to the
 * rejects queue, nor skipped by rule. All the work is in {@link ExportPipeline}; this class converts SQS
 * types, writes the summary log line and the EMF metrics.
 *
 * <p>Reads {@code MIXPANEL_REGION}, {@code MIXPANEL_API_URL}, {@code MIXPANEL_SECRET_ID},
 * {@code REJECTS_QUEUE_URL}, {@code EXPORT_EVENT_TYPES}, {@code EXPORT_EVENT_NAMES}, {@code IDENTITY_MODE}, {@code EXPORT_ANONYMOUS},
 * {@code MIXPANEL_CONCURRENCY}.
 */
public final class ExportHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {

    private static final Log LOG = Log.get(ExportHandler.class);

    private final ExportPorts ports;
    private final ExportPipeline pipeline;

    /** Lambda's constructor: real clients, built once at init (before the SnapStart snapshot). */
    public ExportHandler() {
        this(ExportPorts.fromAws(AwsClients.fromEnvironment(Env.system()), Env.system()), Env.system());
        Core.getGlobalContext().register(this);
    }

    public ExportHandler(ExportPorts ports, Env env) {
        this(ports, env, Sleeper.REAL, new SplittableRandom());
    }

    /** Tests and fault injection: a fake sleeper and a seeded jitter source. */
    public ExportHandler(ExportPorts ports, Env env, Sleeper sleeper, RandomGenerator jitter) {
        this.ports = ports;
        this.pipeline = new ExportPipeline(mapper(env), ports.mixpanel(), ports.rejects(), ports.objects(),
                RetryPolicy.mixpanel(jitter), sleeper, settings(env), BatchLimits.MIXPANEL);
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
        SqsExportBatch batch = SqsExportBatch.of(event);
        ExportResult result;
        try {
            result = pipeline.process(batch.messages(), deadline, batch.fifo());
        } catch (RuntimeException e) {
            // A bug must not lose events nor crash the poller's view: every message comes back.
            LOG.error("export failed unexpectedly: returning every message", "error", e.getClass().getName(),
                    "messages", batch.messages().size());
            return batch.returnAll();
        }
        LOG.info("export batch done", "totals", result.ledger().totals().asLogFields(),
                "returned_messages", result.returnedMessageIds().size(), "fifo", batch.fifo(),
                "mixpanel_requests", result.stats().requests(), "mixpanel_retries", result.stats().retries(),
                "duration_ms", (System.nanoTime() - started) / 1_000_000);
        Metrics metrics = new Metrics(FunctionName.EXPORT);
        result.writeMetrics(metrics);
        metrics.flush();
        return SqsExportBatch.returning(result.returnedMessageIds());
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
