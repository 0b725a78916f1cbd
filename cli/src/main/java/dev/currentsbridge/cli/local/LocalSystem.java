package dev.currentsbridge.cli.local;

import dev.currentsbridge.export.adapter.DeletionPorts;
import dev.currentsbridge.export.domain.deletion.DeletionSettings;
import dev.currentsbridge.standins.local.FileDeletionState;
import dev.currentsbridge.standins.local.DirectoryObjectSource;
import dev.currentsbridge.standins.local.EmbeddedExportQueue;
import dev.currentsbridge.standins.local.EmbeddedQueue;
import dev.currentsbridge.standins.local.FileRejectSink;

import dev.currentsbridge.cli.BrazeTarget;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.CurrentsIngestHandler;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The whole system in one process, wired through the handlers' ports constructors: the export queue
 * (embedded), rejects (files), "S3" (a directory), the file-backed cohort store, Mixpanel and Braze (dry-run
 * sinks or the real services), and the secrets those need (in memory). {@code bridge local} serves it;
 * {@code bridge invoke} uses it to run one handler.
 */
public final class LocalSystem {

    public static final String EXPORT_QUEUE_URL = "local://queues/export";
    public static final String REJECTS_QUEUE_URL = "local://queues/rejects";
    public static final String CURRENTS_TOKEN_SECRET_ID = "local/currents-token";
    public static final String TABLE_NAME = "local-state";
    public static final String INGEST_HANDLER = CurrentsIngestHandler.class.getName();
    public static final String COHORT_API_HANDLER = CohortApiHandler.class.getName();

    public static final Option CURRENTS_TOKEN = Option.value("currents-token", "TOKEN", Placeholders.SAMPLE_TOKEN,
            "bearer token the local POST /currents accepts (what Braze's HTTP connector would send)");
    public static final Option S3_ROOT = Option.value("s3-root", "DIR", "local-s3",
            "local stand-in for S3: s3://bucket/key is read from DIR/bucket/key");

    /** Variables a user may set in their environment to configure the handlers locally, as on Lambda. */
    public static final List<String> PASS_THROUGH = List.of("MIXPANEL_REGION", "EXPORT_EVENT_TYPES",
            "EXPORT_EVENT_NAMES", "IDENTITY_MODE", "EXPORT_ANONYMOUS", "FORWARD_DELETIONS", "DELETION_COMPLIANCE_TYPE", "MIXPANEL_CONCURRENCY", "COHORT_ATTRIBUTE", "COHORT_VALUE", "MEMBER_ID_FIELD",
            "DEFAULT_SYNC_MODE", "STALE_AFTER_INTERVALS");

    /**
     * @param outDir   {@code ./local-out}: mixpanel/, braze/, rejects/, logs/
     * @param s3Root        {@code s3://bucket/key} is read from {@code <s3Root>/bucket/key}
     * @param currentsToken the bearer token the local {@code POST /currents} expects
     */
    public record Settings(Path stateDir, Path outDir, Path s3Root, Duration visibilityTimeout, int maxReceiveCount,
                           Duration refreshEvery, String currentsToken, Map<String, String> userEnvironment) {
    }

    private final Settings settings;
    private final LocalState state;
    private final MixpanelTarget mixpanel;
    private final BrazeTarget braze;
    private final EmbeddedQueue exportQueue;
    private final FileRejectSink rejects;
    private final DirectoryObjectSource objects;
    private final MapSecretSource secrets;
    private final String currentsToken;
    private final Map<String, String> env;
    private final Map<String, Function<Env, Object>> factories = new LinkedHashMap<>();
    private FileDeletionState deletionState;

    private LocalSystem(Settings settings, LocalState state, MixpanelTarget mixpanel, BrazeTarget braze) {
        this.settings = settings;
        this.state = state;
        this.mixpanel = mixpanel;
        this.braze = braze;
        this.exportQueue = new EmbeddedQueue("export", settings.visibilityTimeout(), settings.maxReceiveCount(),
                Clock.systemUTC());
        this.rejects = new FileRejectSink(settings.outDir().resolve("rejects"));
        this.objects = new DirectoryObjectSource(settings.s3Root());
        this.currentsToken = settings.currentsToken();
        this.secrets = new MapSecretSource(Map.of(
                MixpanelTarget.LOCAL_SECRET_ID, mixpanel.secrets().get(MixpanelTarget.LOCAL_SECRET_ID),
                BrazeTarget.LOCAL_SECRET_ID, braze.apiKey(),
                CURRENTS_TOKEN_SECRET_ID, currentsToken));
        this.env = Map.copyOf(localEnvironment(settings, mixpanel, braze));
        // As deployed: the handler paces redelivery through the embedded queue (its MessageVisibility), gives a
        // message up to the rejects on the queue's last receive, and fails a batch returned whole.
        factories.put(ExportHandler.class.getName(), e -> new ExportHandler(
                new ExportPorts(mixpanel.client(), rejects, objects, exportQueue).withEngage(mixpanel.engageClient())
                        .withDeletions(deletionPorts(e)), e,
                Sleeper.REAL, new SplittableRandom(), ExportHandler.WholeBatchReturned.FAIL_INVOCATION));
        factories.put(CurrentsIngestHandler.class.getName(), e -> new CurrentsIngestHandler(
                new EmbeddedExportQueue(exportQueue), secrets, e));
        factories.put(CohortApiHandler.class.getName(), e -> new CohortApiHandler(state.store(), e, Clock.systemUTC()));
        factories.put(CohortRefreshHandler.class.getName(), e -> refreshHandler(e, Clock.systemUTC()));
    }

    /** With {@code FORWARD_DELETIONS}: the file state in the state directory (one per process) and the GDPR API. */
    private synchronized DeletionPorts deletionPorts(Env e) {
        if (!DeletionSettings.enabled(e)) {
            return null;
        }
        if (deletionState == null) {
            deletionState = FileDeletionState.open(settings.stateDir());
        }
        return new DeletionPorts(deletionState, deletionState, mixpanel.deletionsClient());
    }

    /** The refresh function with its own clock (local mode fast-forwards the final refresh of a replay). */
    public CohortRefreshHandler refreshHandler(Env e, Clock clock) {
        return new CohortRefreshHandler(state.store(),
                new BrazeHttpClient(SharedHttpClient.get(), URI.create(e.required("BRAZE_REST_ENDPOINT")), secrets,
                        e.required("BRAZE_API_KEY_SECRET_ID")),
                e, clock, Sleeper.REAL);
    }

    /** Wires the system; the caller keeps ownership of (and closes) the state and the targets. */
    public static LocalSystem start(Settings settings, LocalState state, MixpanelTarget mixpanel, BrazeTarget braze) {
        return new LocalSystem(settings, state, mixpanel, braze);
    }

    private static Map<String, String> localEnvironment(Settings s, MixpanelTarget mixpanel, BrazeTarget braze) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : PASS_THROUGH) {
            String v = s.userEnvironment().get(name);
            if (v != null && !v.isBlank()) {
                env.put(name, v);
            }
        }
        env.put("AWS_REGION", "local");
        env.putAll(mixpanel.env());
        env.put("REJECTS_QUEUE_URL", REJECTS_QUEUE_URL);
        // The embedded queue's redrive limit, as the templates set the deployed queue's.
        env.put("EXPORT_MAX_RECEIVES", Integer.toString(s.maxReceiveCount()));
        env.put("EXPORT_QUEUE_URL", EXPORT_QUEUE_URL);
        env.put("CURRENTS_TOKEN_SECRET_ID", CURRENTS_TOKEN_SECRET_ID);
        env.put("TABLE_NAME", TABLE_NAME);
        env.put("BRAZE_REST_ENDPOINT", braze.endpoint().toString());
        env.put("BRAZE_API_KEY_SECRET_ID", BrazeTarget.LOCAL_SECRET_ID);
        long minutes = Math.max(1, (s.refreshEvery().toSeconds() + 59) / 60);
        env.put("REFRESH_INTERVAL_MINUTES", Long.toString(minutes));
        return env;
    }

    /** The environment handlers see locally: resource names of the local stand-ins plus the user's settings. */
    public Map<String, String> environment() {
        return env;
    }

    public Env env() {
        return Env.of(env);
    }

    /** True when this class can be wired with local stand-ins. */
    public boolean supports(String handlerClass) {
        return factories.containsKey(handlerClass);
    }

    public List<String> supportedHandlers() {
        return List.copyOf(factories.keySet());
    }

    /** A new handler instance built through its ports constructor with {@code env}. */
    public Object newHandler(String handlerClass, Env handlerEnv) {
        Function<Env, Object> f = factories.get(handlerClass);
        if (f == null) {
            throw new CliException("no local wiring for handler class " + handlerClass + " (known: "
                    + String.join(", ", factories.keySet()) + ")");
        }
        try {
            return f.apply(handlerEnv);
        } catch (ConfigException e) {
            throw new CliException("configuration of " + simpleName(handlerClass) + ": " + e.getMessage());
        }
    }

    public <T> T newHandler(Class<T> type) {
        return type.cast(newHandler(type.getName(), env()));
    }

    /** The export function as the queue worker calls it. */
    public QueueWorker exportWorker(ExportHandler handler, LocalContext.Factory contexts) {
        return new QueueWorker(exportQueue, 10, handler::handleRequest, contexts);
    }

    public EmbeddedQueue exportQueue() {
        return exportQueue;
    }

    public FileRejectSink rejects() {
        return rejects;
    }

    public DirectoryObjectSource objects() {
        return objects;
    }

    public LocalState state() {
        return state;
    }

    public MixpanelTarget mixpanel() {
        return mixpanel;
    }

    public BrazeTarget braze() {
        return braze;
    }

    public String currentsToken() {
        return currentsToken;
    }

    public Settings settings() {
        return settings;
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
