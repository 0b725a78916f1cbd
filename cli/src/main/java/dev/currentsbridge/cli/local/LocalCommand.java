package dev.currentsbridge.cli.local;

import dev.currentsbridge.standins.local.EmbeddedQueue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.cli.BrazeTarget;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Durations;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.cli.DeletionOptions;
import dev.currentsbridge.cli.IdentityOptions;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.Report;
import dev.currentsbridge.cli.invoke.SamTemplate;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.export.ExportHandler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code bridge local}: the whole system on 127.0.0.1 with embedded stand-ins and dry-run sinks. */
public final class LocalCommand implements Command {

    static final Option PORT = Option.value("port", "N", "3000", "port of the local API (0 picks a free one)");
    static final Option MIXPANEL_PORT = Option.value("mixpanel-sink-port", "N", "0", "port of the Mixpanel dry-run sink");
    static final Option BRAZE_PORT = Option.value("braze-sink-port", "N", "0", "port of the Braze dry-run sink");
    static final Option STATE = Option.value("state", "DIR", ".local-state",
            "cohort store, keys and local secrets (kept across restarts)");
    static final Option OUT = Option.value("out", "DIR", "local-out",
            "where dry-run output, rejects and logs go (mixpanel/, braze/, rejects/, logs/)");
    static final Option REPLAY = Option.value("replay", "PATH", null,
            "sample files or folders to push through once started (repeatable; e.g. events-samples)").asRepeatable();
    static final Option EXIT_AFTER_REPLAY = Option.flag("exit-after-replay",
            "after the replay, wait for the queue to drain, run one cohort refresh, print a summary and exit");
    static final Option REFRESH_EVERY = Option.value("refresh-every", "DURATION", "15m",
            "cohort refresh interval, like the EventBridge schedule (e.g. 10s for a demo)");
    static final Option VISIBILITY = Option.value("visibility-timeout", "DURATION", "10s",
            "export queue: how long a received message stays hidden unless the function sets its redelivery delay");
    static final Option MAX_RECEIVES = Option.value("max-receive-count", "N", "3",
            "export queue: receives allowed (EXPORT_MAX_RECEIVES); on the last, export gives a failing message up to rejects");
    static final Option TEMPLATE = Option.value("template", "FILE", "template.yaml",
            "SAM template whose HttpApi routes the local API serves (built-in routes if the file is absent)");
    static final Option VERBOSE = Option.flag("verbose", "also print the functions' JSON logs on stderr");

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String summary() {
        return "run the whole bridge on 127.0.0.1: API, export queue, cohort refresh, dry-run Mixpanel and Braze";
    }

    @Override
    public String usage() {
        return "local [options]";
    }

    @Override
    public String description() {
        return """
                Serves the API Gateway routes with the real handler classes, feeds the export function from an
                embedded SQS-like queue (batches of 10, visibility timeout, retries, dead-letter list), runs the
                cohort refresh on a timer, keeps cohorts and keys in --state, and by default sends Mixpanel and
                Braze requests to loopback dry-run sinks that write the exact bodies under --out. Give
                --mixpanel-secret-file and --braze-rest-endpoint/--braze-api-key-file to talk to the real services.

                examples:
                  ./bridge local --replay events-samples
                  ./bridge local --replay events-samples --exit-after-replay
                  ./bridge local --refresh-every 10s --port 8080
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(PORT, STATE, OUT, REPLAY, EXIT_AFTER_REPLAY, REFRESH_EVERY, VISIBILITY, MAX_RECEIVES, LocalSystem.S3_ROOT, LocalSystem.CURRENTS_TOKEN,
                TEMPLATE, MixpanelTarget.SECRET_FILE, MixpanelTarget.REGION, MixpanelTarget.URL, BrazeTarget.ENDPOINT,
                BrazeTarget.KEY_FILE, IdentityOptions.MODE, IdentityOptions.ANONYMOUS, DeletionOptions.FORWARD,
                DeletionOptions.COMPLIANCE, MIXPANEL_PORT, BRAZE_PORT, VERBOSE);
    }

    @Override
    public int run(Invocation inv) throws Exception {
        inv.noPositionals();
        int port = inv.getInt(PORT, 0, 65535);
        int mixpanelPort = inv.getInt(MIXPANEL_PORT, 0, 65535);
        int brazePort = inv.getInt(BRAZE_PORT, 0, 65535);
        Duration refreshEvery = inv.getDuration(REFRESH_EVERY);
        Duration visibility = inv.getDuration(VISIBILITY);
        int maxReceives = inv.getInt(MAX_RECEIVES, 1, 1000);
        List<Path> replayFiles = Replay.files(inv.all(REPLAY));
        boolean exitAfter = inv.has(EXIT_AFTER_REPLAY);
        Path out = inv.getPath(OUT);
        Path templatePath = inv.getPath(TEMPLATE);
        SamTemplate template = Files.isRegularFile(templatePath) ? SamTemplate.load(templatePath) : null;
        PrintStream console = inv.out();
        Map<String, String> userEnvironment = DeletionOptions.environment(inv,
                IdentityOptions.environment(inv, inv.environment()));

        try (LocalState state = LocalState.openExclusive(inv.getPath(STATE));
             LocalLogs logs = new LocalLogs(out.resolve("logs"), inv.has(VERBOSE) ? inv.err() : null);
             MixpanelTarget mixpanel = MixpanelTarget.from(inv, out.resolve("mixpanel"), mixpanelPort);
             BrazeTarget braze = BrazeTarget.from(inv, out.resolve("braze"), brazePort)) {
            LocalSystem system = LocalSystem.start(new LocalSystem.Settings(inv.getPath(STATE), out,
                    inv.getPath(LocalSystem.S3_ROOT), visibility, maxReceives, refreshEvery,
                    inv.require(LocalSystem.CURRENTS_TOKEN), userEnvironment), state, mixpanel, braze);
            return serve(inv, system, logs, template, port, refreshEvery, replayFiles, exitAfter, console);
        }
    }

    private int serve(Invocation inv, LocalSystem system, LocalLogs logs, SamTemplate template, int port,
                      Duration refreshEvery, List<Path> replayFiles, boolean exitAfter, PrintStream console)
            throws Exception {
        LocalState.LocalKey key = system.state().localKey(Clock.systemUTC());
        Map<String, Object> handlers = new LinkedHashMap<>();
        List<LocalApiServer.Route> routes = routes(system, template, handlers);
        ExportHandler export = (ExportHandler) handlers.computeIfAbsent(ExportHandler.class.getName(),
                c -> system.newHandler(c, system.env()));
        CohortRefreshHandler refreshHandler = (CohortRefreshHandler) handlers.computeIfAbsent(
                CohortRefreshHandler.class.getName(), c -> system.newHandler(c, system.env()));
        LocalRefresher refresher = new LocalRefresher(refreshHandler, contexts(template, CohortRefreshHandler.class.getName(),
                "CohortRefreshFunction", Duration.ofMinutes(5)));
        try (LocalApiServer api = new LocalApiServer(port, routes);
             QueueWorker worker = system.exportWorker(export,
                     contexts(template, ExportHandler.class.getName(), "ExportFunction", Duration.ofMinutes(2))).start()) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cohort-refresh-timer");
                t.setDaemon(true);
                return t;
            });
            try {
                timer.scheduleWithFixedDelay(refresher::runQuietly, refreshEvery.toMillis(), refreshEvery.toMillis(),
                        TimeUnit.MILLISECONDS);
                printBanner(console, system, api, key, logs, refreshEvery, !replayFiles.isEmpty() || exitAfter);
                Replay replay = new Replay(system, URI.create(api.url()), key.secret(), refresher::runQuietly,
                        SharedHttpClient.get());
                List<Replay.Item> items = replayFiles.isEmpty() ? List.of() : replay.run(replayFiles);
                if (!items.isEmpty()) {
                    printReplay(console, items);
                }
                if (exitAfter) {
                    Duration drainWait = system.settings().visibilityTimeout()
                            .multipliedBy(system.settings().maxReceiveCount() + 1L).plusSeconds(60);
                    boolean drained = system.exportQueue().awaitDrained(drainWait);
                    // The refresh leaves postbacks younger than CohortRefresher.SETTLE for its next run; instead of
                    // waiting for that run, the final one sees the clock SETTLE ahead.
                    new LocalRefresher(system.refreshHandler(system.env(),
                            Clock.offset(Clock.systemUTC(), CohortRefresher.SETTLE.plusSeconds(1))),
                            refresher.contexts, refresher).runQuietly();
                    printSummary(console, system, api, logs, refresher, items, drained);
                    return 0;
                }
                if (!items.isEmpty()) {
                    console.println("replay sent; output appears under " + system.settings().outDir()
                            + " as the queue drains and the refresh runs. Ctrl-C to stop.");
                }
                CountDownLatch stopped = new CountDownLatch(1);
                CountDownLatch summarised = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopped.countDown();
                    try {
                        // Let the main thread print the summary before the JVM halts.
                        summarised.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "bridge-local-stop"));
                stopped.await();
                console.println();
                console.println("stopping (Ctrl-C)");
                printSummary(console, system, api, logs, refresher, items, system.exportQueue().depth() == 0);
                console.flush();
                summarised.countDown();
                return 0;
            } finally {
                timer.shutdownNow();
            }
        }
    }

    /** HttpApi routes from the template (or, without one, {@link Routes#ALL}), each served by its function's handler. */
    @SuppressWarnings("unchecked")
    private static List<LocalApiServer.Route> routes(LocalSystem system, SamTemplate template, Map<String, Object> handlers) {
        List<LocalApiServer.Route> routes = new ArrayList<>();
        if (template != null) {
            for (SamTemplate.Function f : template.functions().values()) {
                for (SamTemplate.EventSource e : f.events()) {
                    if (e.routeKey().isEmpty() || !system.supports(f.handlerClass())) {
                        continue;
                    }
                    String[] mk = e.routeKey().get().split(" ", 2);
                    var handler = (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>)
                            handlers.computeIfAbsent(f.handlerClass(), c -> system.newHandler(c, system.env()));
                    routes.add(new LocalApiServer.Route(mk[0], mk[1], f.logicalId(), handler::handleRequest,
                            new LocalContext.Factory(f.logicalId(), f.timeout(), f.memoryMb())));
                }
            }
            if (!routes.isEmpty()) {
                return routes;
            }
        }
        for (Routes.Route r : Routes.ALL) {
            var handler = (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>)
                    handlers.computeIfAbsent(r.function().handlerClass(), c -> system.newHandler(c, system.env()));
            String fn = r.function().logicalId();
            routes.add(new LocalApiServer.Route(r.method(), r.path(), fn, handler::handleRequest,
                    new LocalContext.Factory(fn, Duration.ofSeconds(15), 512)));
        }
        return routes;
    }

    private static LocalContext.Factory contexts(SamTemplate template, String handlerClass, String fallbackName,
                                                 Duration fallbackTimeout) {
        if (template != null) {
            for (SamTemplate.Function f : template.functions().values()) {
                if (f.handlerClass().equals(handlerClass)) {
                    return new LocalContext.Factory(f.logicalId(), f.timeout(), f.memoryMb());
                }
            }
        }
        return new LocalContext.Factory(fallbackName, fallbackTimeout, 1024);
    }

    private static void printBanner(PrintStream out, LocalSystem system, LocalApiServer api, LocalState.LocalKey key,
                                    LocalLogs logs, Duration refreshEvery, boolean replaying) {
        out.println("Currents Bridge is running locally" + (replaying ? "" : " (Ctrl-C to stop)"));
        out.println();
        out.println("API  " + api.url() + "   (API Gateway HTTP API, same handler classes as on AWS)");
        for (LocalApiServer.Route r : api.routes()) {
            // the role each route needs, from the one route table the handlers enforce
            String role = Routes.ALL.stream().filter(t -> t.routeKey().equals(r.method() + " " + r.pathTemplate()))
                    .findFirst().map(t -> t.role().wire()).orElse("");
            out.printf("  %-6s %-36s -> %-22s %s%n", r.method(), r.pathTemplate(), r.functionName(), role);
        }
        out.println();
        out.println("data import key   " + key.secret() + (key.created() ? "   (new)" : "   (kept from the last run)")
                + ", an admin key");
        out.println("                  Mixpanel webhook: HTTP Basic password; partner API: client_secret;");
        out.println("                  /cohorts and /keys: Authorization: Bearer <key>");
        out.println("Currents token    " + system.currentsToken() + "   (POST /currents: Authorization: Bearer <token>)");
        out.println();
        out.println("Mixpanel   " + system.mixpanel().description());
        out.println("Braze      " + system.braze().description());
        out.println("rejects    " + system.rejects().dir() + "/");
        out.println("logs       " + logs.file());
        out.println("state      " + system.state().dir() + "/  (cohorts and keys survive restarts)");
        out.println("queue      export queue: batches of up to 10, redelivery paced by the export function (else "
                + Durations.format(system.settings().visibilityTimeout()) + "), given up to rejects on receive "
                + system.settings().maxReceiveCount());
        out.println("refresh    cohort changes -> Braze every " + Durations.format(refreshEvery));
        out.println();
        out.println("try:  curl -s " + api.url() + "/cohorts -H 'Authorization: Bearer " + key.secret() + "'");
        out.println();
    }

    private static void printReplay(PrintStream out, List<Replay.Item> items) {
        Map<Replay.Kind, Integer> counts = new java.util.EnumMap<>(Replay.Kind.class);
        items.forEach(i -> counts.merge(i.kind(), 1, Integer::sum));
        out.println("replayed " + items.size() + " sample file(s):");
        counts.forEach((k, n) -> out.printf("  %4d  %s%n", n, k.description));
        for (Replay.Item i : items) {
            if (i.kind() == Replay.Kind.HTTP_API || i.kind() == Replay.Kind.CURRENTS_BATCH
                    || i.outcome().startsWith("skipped") || i.outcome().startsWith("failed")) {
                out.printf("    %-60s %s%n", i.file(), i.outcome());
            }
        }
        out.println();
    }

    private static void printSummary(PrintStream out, LocalSystem system, LocalApiServer api, LocalLogs logs,
                                     LocalRefresher refresher, List<Replay.Item> items, boolean drained) {
        Map<String, Long> t = logs.exportTotals();
        long exported = t.getOrDefault("imported", 0L);
        long skipped = t.getOrDefault("skipped", 0L);
        long rejected = t.getOrDefault("rejected_malformed", 0L) + t.getOrDefault("rejected_by_mixpanel", 0L);
        EmbeddedQueue q = system.exportQueue();
        out.println("summary");
        Report r = new Report(out);
        r.line("sample files", items.size())
                .line("API responses", api.statusCounts().isEmpty() ? "none" : api.statusCounts().toString()
                        .replace("=", ": ").replace("{", "").replace("}", "") + "  (by HTTP status)")
                .line("queue messages", q.sentCount() + " sent, " + q.deletedCount() + " done, "
                        + q.deadLetters().size() + " dead-lettered" + (drained ? "" : ", " + q.depth() + " still queued"))
                .line("events in", exported + skipped + rejected)
                .line("exported", exported + (system.mixpanel().isDryRun()
                        ? "   (" + system.mixpanel().sink().eventsImported() + " written to " + system.mixpanel().sink().dir() + ")" : ""))
                .line("skipped", skipped + "   (not exported by rule: no external_user_id, type not selected, deleted_user...)")
                .line("rejected", rejected, system.rejects().countsByReason())
                .line("cohort refresh", refresher.runs() + " run(s), " + refresher.total("cohortsRefreshed")
                        + " cohort(s) refreshed, " + refresher.total("brazeRequests") + " Braze request(s), "
                        + refresher.total("dataPoints") + " data point(s)"
                        + (refresher.failures() > 0 ? ", " + refresher.failures() + " failed" : ""));
        if (system.braze().isDryRun()) {
            r.line("cohort changes applied", system.braze().sink().attributesProcessed() + " user update(s) in "
                    + system.braze().sink().acceptedRequests() + " /users/track request(s) written to " + system.braze().sink().dir());
        }
        if (system.rejects().countsByReason().containsKey("malformed:s3_object_not_found")) {
            out.println("note: S3 notification samples name objects that are not on disk; put Currents Avro files at "
                    + system.objects().root() + "/<bucket>/<key> to export them");
        }
        out.println();
        out.println("look at:");
        if (system.mixpanel().isDryRun()) {
            out.printf("  %-34s %s%n", system.mixpanel().sink().dir() + "/*.ndjson", "the exact events Mixpanel /import would receive");
        }
        if (system.braze().isDryRun()) {
            out.printf("  %-34s %s%n", system.braze().sink().dir() + "/*.json", "the exact /users/track bodies Braze would receive");
        }
        if (rejected > 0) {
            out.printf("  %-34s %s%n", system.rejects().dir() + "/*.ndjson", "rejected events with their reasons");
        }
        out.printf("  %-34s %s%n", logs.file(), "the functions' JSON logs and metrics");
    }
}
