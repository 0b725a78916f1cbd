package dev.currentsbridge.cli.export;

import dev.currentsbridge.cli.DeletionOptions;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.adapter.GdprCredentials;
import dev.currentsbridge.export.domain.deletion.DeletionForwarding;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.standins.local.FileDeletionState;
import java.time.Clock;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.IdentityOptions;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.Report;
import dev.currentsbridge.cli.UsageException;
import dev.currentsbridge.standins.local.FileRejectSink;
import dev.currentsbridge.cli.local.LocalLogs;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code bridge export}: backfill Currents files into Mixpanel (or a dry-run folder). */
public final class ExportCommand implements Command {

    public static final Option DRY_RUN = Option.value("dry-run", "DIR", null,
            "write the exact /import bodies as NDJSON files into DIR instead of sending them to Mixpanel");
    public static final Option EVENT_TYPES = Option.value("event-types", "LIST", "default",
            "Currents types to export: default, all, or a comma-separated list").withEnv("EXPORT_EVENT_TYPES");
    public static final Option EVENT_NAMES = Option.value("event-names", "JSON", null,
            "Mixpanel names overriding the defaults: {\"<currents type>\": \"<name>\"}").withEnv("EXPORT_EVENT_NAMES");
    public static final Option EVENT_TYPE = Option.value("event-type", "TYPE", null,
            "Currents type of storage-form JSON events that carry no event_type and whose path has no event_type=<type> folder");
    public static final Option CONCURRENCY = Option.value("concurrency", "N", "4",
            "concurrent /import requests").withEnv("MIXPANEL_CONCURRENCY");
    public static final Option MAX_ATTEMPTS = Option.value("max-attempts", "N", "10",
            "attempts per /import request on 429, 5xx and network errors (backoff 2 s doubling to 60 s)");
    static final Option REJECTS = Option.value("rejects", "DIR", "local-out/rejects",
            "where events that can never be imported are written (NDJSON with the reason)");
    public static final Option LOGS = Option.value("logs", "DIR", "local-out/logs",
            "where the pipeline's JSON logs go (bridge.log)");
    public static final Option VERBOSE = Option.flag("verbose", "also print the pipeline's JSON logs on stderr");
    public static final Option AWS_REGION = Option.value("aws-region", "REGION", "us-east-1",
            "region of the S3 bucket for s3:// inputs (your usual AWS credentials are used)").withEnv("AWS_REGION");

    public static final Option STATE = Option.value("state", "DIR", ".local-state",
            "with --forward-deletions: where the identity map, the suppression list and the deletion tasks are kept"
            + " between runs (the same files as bridge local's state)");

    static final Option VIA_QUEUE = Option.value("via-queue", "QUEUE_URL", null,
            "do not export here: enqueue one S3 notification per object of the s3:// locations onto the deployed export"
            + " queue (stack output ExportQueueUrl), for the export function to import; --dry-run then only counts");
    static final Option CHECKPOINT = Option.value("checkpoint", "FILE", null,
            "with --via-queue: where progress is kept, so a run started again resumes after the last object enqueued"
            + " (default: local-out/checkpoints/via-queue-<hash of queue and locations>.json)");

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "backfill Currents files (Avro, JSON, NDJSON, HTTP batches; folders, s3://) into Mixpanel";
    }

    @Override
    public String usage() {
        return "export [options] PATH... (files, folders, s3://bucket/prefix)";
    }

    @Override
    public String description() {
        return """
                Reads every file recursively, maps events exactly as the export Lambda does and sends them to
                Mixpanel /import (or, with --dry-run DIR, writes the request bodies to DIR). $insert_id is derived
                from the Currents event id, so re-running the same files (e.g. after an interruption) creates no
                duplicates in Mixpanel.

                examples:
                  bridge export --dry-run local-out/backfill ./currents-dump
                  bridge export --mixpanel-secret-file mixpanel.json --mixpanel-region EU s3://my-bucket/currents/

                On the fleet: --via-queue QUEUE_URL lists the s3:// locations and enqueues one S3 notification per
                object onto the deployed export queue; the export function imports them within its concurrency cap
                (its own settings apply: event types, names, Mixpanel project). A checkpoint lets an interrupted run
                resume; --dry-run only counts (objects, bytes, messages, SQS requests).
                  bridge export --via-queue https://sqs.eu-west-1.amazonaws.com/123456789012/bridge-export --aws-region eu-west-1 s3://my-bucket/currents/
                  bridge export --via-queue QUEUE_URL --dry-run s3://my-bucket/currents/
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(DRY_RUN, MixpanelTarget.SECRET_FILE, MixpanelTarget.REGION, MixpanelTarget.URL, EVENT_TYPES,
                EVENT_NAMES, IdentityOptions.MODE, IdentityOptions.ANONYMOUS, EVENT_TYPE, CONCURRENCY, MAX_ATTEMPTS, REJECTS, LOGS,
                VERBOSE, AWS_REGION, VIA_QUEUE, CHECKPOINT, DeletionOptions.FORWARD, DeletionOptions.COMPLIANCE, STATE);
    }

    @Override
    public int run(Invocation inv) throws Exception {
        if (inv.lookup(VIA_QUEUE).isPresent()) {
            return viaQueue(inv);
        }
        if (inv.positionals().isEmpty()) {
            throw new UsageException("nothing to export: give files, folders or s3://bucket/prefix (see: bridge export --help)");
        }
        boolean dryRun = inv.lookup(DRY_RUN).isPresent();
        boolean real = inv.lookup(MixpanelTarget.SECRET_FILE).isPresent();
        if (dryRun == real) {
            throw new UsageException(dryRun ? "give either --dry-run or --mixpanel-secret-file, not both"
                    : "say where events go: --dry-run DIR, or --mixpanel-secret-file FILE for the real Mixpanel");
        }
        int concurrency = inv.getInt(CONCURRENCY, 1, 64);
        int maxAttempts = inv.getInt(MAX_ATTEMPTS, 1, 100);
        EventMapper mapper;
        try {
            mapper = new EventMapper(MappingConfig.parse(inv.get(EVENT_TYPES), inv.get(EVENT_NAMES)), IdentityOptions.config(inv));
        } catch (IllegalArgumentException e) {
            throw new CliException("event selection: " + e.getMessage());
        }
        List<Inputs.Input> inputs = resolveInputs(inv);
        PrintStream out = inv.out();
        try (LocalLogs logs = new LocalLogs(inv.getPath(LOGS), inv.has(VERBOSE) ? inv.err() : null);
             MixpanelTarget target = dryRun ? MixpanelTarget.dryRun(inv.getPath(DRY_RUN), 0)
                : MixpanelTarget.real(inv.getPath(MixpanelTarget.SECRET_FILE), inv.get(MixpanelTarget.REGION),
                        inv.lookup(MixpanelTarget.URL).orElse(null))) {
            FileRejectSink rejectSink = new FileRejectSink(inv.getPath(REJECTS));
            RetryPolicy policy = RetryPolicy.mixpanel(RandomGenerator.getDefault()).withMaxAttempts(maxAttempts);
            long totalBytes = inputs.stream().mapToLong(Inputs.Input::sizeBytes).sum();
            out.println("exporting " + inputs.size() + " file(s), " + humanBytes(totalBytes) + " -> " + target.description());
            Map<String, String> unreadable = new LinkedHashMap<>();
            EventLedger.Totals totals;
            DeletionForwarding deletions = deletions(inv, target, policy);
            try (Backfill backfill = new Backfill(mapper, target.client(), target.engageClient(), rejectSink, concurrency,
                    policy, inv.get(EVENT_TYPE), deletions);
                 Progress progress = Progress.start(inv.err(), backfill, inputs.size())) {
                for (Inputs.Input input : inputs) {
                    try {
                        backfill.read(input.origin(), input.path(), input.opener());
                    } catch (MalformedInputException e) {
                        unreadable.put(input.origin(), e.getMessage());
                    } catch (IOException e) {
                        unreadable.put(input.origin(), "cannot read: " + e.getMessage());
                    }
                }
                totals = backfill.finish();
                progress.stop();
                printSummary(out, inputs.size(), unreadable.size(), backfill, totals, target, rejectSink);
            }
            long notDelivered = totals.get(Outcome.RETRY);
            if (!unreadable.isEmpty()) {
                Map.Entry<String, String> first = unreadable.entrySet().iterator().next();
                throw new CliException((unreadable.size() == 1 ? "unreadable file " : unreadable.size()
                        + " unreadable files, first: ") + first.getKey() + ": " + first.getValue());
            }
            if (notDelivered > 0) {
                throw new CliException(notDelivered + " event(s) not delivered ("
                        + Report.reasons(totals.reasons(Outcome.RETRY)) + "); run the same command again to finish"
                        + " (events already imported are deduplicated by $insert_id)");
            }
            return 0;
        }
    }

    /** {@code --forward-deletions}: the state in {@code --state DIR} and the target's GDPR API; else null. */
    private static DeletionForwarding deletions(Invocation inv, MixpanelTarget target, RetryPolicy policy) {
        if (!DeletionOptions.enabled(inv)) {
            return null;
        }
        if (!target.isDryRun()) {
            try {
                GdprCredentials.parse(target.secrets().get(MixpanelTarget.LOCAL_SECRET_ID));
            } catch (MixpanelImport.CredentialsException e) {
                throw new CliException("--forward-deletions: " + e.getMessage());
            }
        }
        FileDeletionState state = FileDeletionState.open(inv.getPath(STATE));
        try {
            return new DeletionForwarding(state, state, target.deletionsClient(), inv.get(DeletionOptions.COMPLIANCE),
                    policy, Sleeper.REAL, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    /**
     * {@code --via-queue}: with it, {@code --dry-run} means "only count"; a value of {@code --dry-run} that is an
     * s3:// location (as in {@code --dry-run s3://bucket/prefix}) is one of the locations.
     */
    private int viaQueue(Invocation inv) throws InterruptedException {
        List<String> locations = new ArrayList<>(inv.positionals());
        inv.lookup(DRY_RUN).filter(Inputs::isS3).ifPresent(l -> locations.add(0, l));
        if (locations.isEmpty()) {
            throw new UsageException("nothing to enqueue: give s3://bucket/prefix (see: bridge export --help)");
        }
        if (inv.lookup(MixpanelTarget.SECRET_FILE).isPresent()) {
            throw new UsageException("--via-queue sends the files to the deployed export function, which uses its own"
                    + " Mixpanel secret: leave out --mixpanel-secret-file");
        }
        for (String l : locations) {
            if (!Inputs.isS3(l)) {
                throw new UsageException("--via-queue takes s3:// locations only (the export function reads S3): " + l);
            }
        }
        return ViaQueueRun.run(inv, locations, resolveInputs(inv, locations), inv.lookup(DRY_RUN).isPresent());
    }

    private List<Inputs.Input> resolveInputs(Invocation inv) {
        return resolveInputs(inv, inv.positionals());
    }

    private List<Inputs.Input> resolveInputs(Invocation inv, List<String> locations) {
        List<Inputs.Input> inputs = new ArrayList<>();
        S3Client s3 = null;
        for (String arg : locations) {
            if (Inputs.isS3(arg)) {
                if (s3 == null) {
                    Map<String, String> env = new java.util.HashMap<>(inv.environment());
                    env.put("AWS_REGION", inv.get(AWS_REGION));
                    // Listing needs the S3 SDK (the cli's own dependency; the Lambda jar reads S3 without it).
                    s3 = AwsClients.fromEnvironment(Env.of(env)).configureBuilder(S3Client.builder(), "S3")
                            .forcePathStyle(env.containsKey("AWS_ENDPOINT_URL_S3") || env.containsKey("AWS_ENDPOINT_URL"))
                            .build();
                }
                inputs.addAll(Inputs.s3(arg, s3));
            } else {
                inputs.addAll(Inputs.local(arg));
            }
        }
        if (inputs.isEmpty()) {
            throw new CliException("no files found in " + String.join(", ", locations));
        }
        return inputs;
    }

    private static void printSummary(PrintStream out, int files, int unreadable, Backfill backfill,
                                     EventLedger.Totals totals, MixpanelTarget target, FileRejectSink rejects) {
        Map<String, Long> rejected = new java.util.TreeMap<>(totals.reasons(Outcome.REJECTED_MALFORMED));
        totals.reasons(Outcome.REJECTED_BY_MIXPANEL).forEach((k, v) -> rejected.merge(k, v, Long::sum));
        long rejectedCount = totals.get(Outcome.REJECTED_MALFORMED) + totals.get(Outcome.REJECTED_BY_MIXPANEL);
        Map<String, Long> skipped = new java.util.TreeMap<>(totals.reasons(Outcome.SKIPPED));
        out.println("export summary");
        new Report(out)
                .line("files read", (files - unreadable) + (unreadable > 0 ? " (" + unreadable + " unreadable)" : ""))
                .line("events read", totals.events())
                .line("exported", totals.get(Outcome.IMPORTED), Map.of())
                .line("skipped", totals.get(Outcome.SKIPPED), skipped)
                .line("rejected", rejectedCount, rejected)
                .line("not delivered", totals.get(Outcome.RETRY), totals.reasons(Outcome.RETRY))
                .line("mixpanel requests", backfill.mixpanelRequests() + (backfill.mixpanelRetries() > 0
                        ? " (" + backfill.mixpanelRetries() + " retries)" : ""));
        if (target.isDryRun()) {
            out.println("dry run: /import bodies written to " + target.sink().dir());
            if (!target.sink().deletions().requests().isEmpty()) {
                out.println("dry run: deletion request bodies written to " + target.sink().dir() + " (deletion-*.json)");
            }
        }
        if (rejectedCount > 0) {
            out.println("rejected events with their reasons: " + rejects.dir());
        }
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** A progress line on a terminal, redrawn twice a second; nothing when output is not a terminal. */
    static final class Progress implements AutoCloseable {
        private final ScheduledExecutorService timer;
        private final PrintStream err;

        private Progress(ScheduledExecutorService timer, PrintStream err) {
            this.timer = timer;
            this.err = err;
        }

        static Progress start(PrintStream err, Backfill backfill, int files) {
            if (System.console() == null) {
                return new Progress(null, err);
            }
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            long started = System.nanoTime();
            timer.scheduleAtFixedRate(() -> {
                EventLedger.Totals t = backfill.totals();
                long secs = Math.max(1, (System.nanoTime() - started) / 1_000_000_000L);
                err.printf("\r  files %d/%d  read %d  exported %d  skipped %d  rejected %d  (%d events/s)   ",
                        backfill.filesRead(), files, backfill.eventsRead(), t.get(Outcome.IMPORTED),
                        t.get(Outcome.SKIPPED), t.get(Outcome.REJECTED_MALFORMED) + t.get(Outcome.REJECTED_BY_MIXPANEL),
                        backfill.eventsRead() / secs);
                err.flush();
            }, 500, 500, TimeUnit.MILLISECONDS);
            return new Progress(timer, err);
        }

        void stop() {
            if (timer != null) {
                timer.shutdownNow();
                err.print("\r" + " ".repeat(100) + "\r");
                err.flush();
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

}
