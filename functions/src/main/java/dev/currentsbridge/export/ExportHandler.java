package dev.currentsbridge.export;

import dev.currentsbridge.common.retry.RetryPolicy;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.ExportProcessor;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.crac.Core;
import org.crac.Resource;

/**
 * The export Lambda: SQS export queue -> Mixpanel {@code /import}, with {@code ReportBatchItemFailures}.
 * A message is in {@code batchItemFailures} iff some of its events were neither imported, nor sent to the
 * rejects queue, nor skipped by rule. All the work is in {@link ExportProcessor}; this class converts SQS
 * types, writes the summary log line and the EMF metrics.
 *
 * <p>Reads {@code MIXPANEL_REGION}, {@code MIXPANEL_API_URL}, {@code MIXPANEL_SECRET_ID},
 * {@code REJECTS_QUEUE_URL}, {@code EXPORT_EVENT_TYPES}, {@code EXPORT_EVENT_NAMES}, {@code MIXPANEL_CONCURRENCY}.
 */
public final class ExportHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {

    private static final Log LOG = Log.get(ExportHandler.class);

    private final ExportPorts ports;
    private final ExportProcessor processor;

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
        EventMapper mapper;
        try {
            mapper = new EventMapper(MappingConfig.parse(env.raw("EXPORT_EVENT_TYPES"), env.raw("EXPORT_EVENT_NAMES")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("EXPORT_EVENT_TYPES / EXPORT_EVENT_NAMES: " + e.getMessage());
        }
        DeliverySettings settings;
        try {
            settings = DeliverySettings.defaults(env.getInt("MIXPANEL_CONCURRENCY", 4));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        this.processor = new ExportProcessor(mapper, ports.mixpanel(), ports.rejects(), ports.objects(),
                RetryPolicy.mixpanel(jitter), sleeper, settings, BatchLimits.MIXPANEL);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        long started = System.nanoTime();
        Deadline deadline = context == null ? Deadline.none() : context::getRemainingTimeInMillis;
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        List<ExportProcessor.QueueMessage> messages = new ArrayList<>(records.size());
        boolean fifo = false;
        for (SQSEvent.SQSMessage r : records) {
            messages.add(new ExportProcessor.QueueMessage(r.getMessageId(), r.getBody(), eventTypeAttribute(r)));
            fifo |= isFifo(r);
        }
        ExportProcessor.Result result;
        try {
            result = processor.process(messages, deadline, fifo);
        } catch (RuntimeException e) {
            // A bug must not lose events nor crash the poller's view: every message comes back.
            LOG.error("export failed unexpectedly: returning every message", "error", e.getClass().getName(),
                    "messages", messages.size());
            List<SQSBatchResponse.BatchItemFailure> all = new ArrayList<>();
            messages.forEach(m -> all.add(new SQSBatchResponse.BatchItemFailure(m.id())));
            return new SQSBatchResponse(all);
        }

        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (String id : result.returnedMessageIds()) {
            failures.add(new SQSBatchResponse.BatchItemFailure(id));
        }
        Map<String, Object> totals = result.ledger().totals().asLogFields();
        LOG.info("export batch done", "totals", totals, "returned_messages", failures.size(), "fifo", fifo,
                "mixpanel_requests", result.stats().requests(), "mixpanel_retries", result.stats().retries(),
                "duration_ms", (System.nanoTime() - started) / 1_000_000);
        Metrics metrics = new Metrics(FunctionName.EXPORT);
        result.writeMetrics(metrics);
        metrics.flush();
        return new SQSBatchResponse(failures);
    }

    private static String eventTypeAttribute(SQSEvent.SQSMessage r) {
        if (r.getMessageAttributes() == null) {
            return null;
        }
        SQSEvent.MessageAttribute a = r.getMessageAttributes().get("event_type");
        return a == null ? null : a.getStringValue();
    }

    private static boolean isFifo(SQSEvent.SQSMessage r) {
        return (r.getEventSourceArn() != null && r.getEventSourceArn().endsWith(".fifo"))
                || (r.getAttributes() != null && r.getAttributes().containsKey("MessageGroupId"));
    }

    /** SnapStart priming: run mapping, Jackson, Avro, gzip and client code paths without any traffic. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        processor.warmUp();
        ports.mixpanel().warmUp();
        ports.rejects().warmUp();
        ports.objects().warmUp();
        // The request paths, without traffic: a gzip POST on the shared HTTP client (loopback, connection closed;
        // the Mixpanel and the secret requests), and the SDK pipeline of the rejects queue (canned in-memory answer).
        dev.currentsbridge.common.http.HttpPriming.primePost();
        dev.currentsbridge.common.aws.SdkPriming.primeSqs();
        LOG.info("export function primed for snapshot");
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing cached before the snapshot is stale: warm-up read no secret and opened no connection.
    }
}
