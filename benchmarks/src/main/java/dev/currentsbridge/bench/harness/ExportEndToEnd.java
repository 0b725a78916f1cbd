package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.common.time.Sleeper;
import java.util.SplittableRandom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Export end to end, beside the peer, in one run: N Currents events as HTTP-connector batches
 * ({@code {"events":[...]}}, {@code --per-message} events each) in SQS events of 10 messages, through the real
 * {@link ExportHandler} (ports constructor: the real Mixpanel HTTP client, gzip, 2000-event batches) into a
 * loopback sink in its own JVM; then the npm peer {@code mixpanel-import} (20 workers, gzip, redirected by a
 * preload) pushing the same events, already in Mixpanel form, into the same sink. Repeated, alternating.
 *
 * <p>Args: {@code --events N} (200000) {@code --per-message M} (200) {@code --repeat R} (3) {@code --containers C}
 * (1: one Lambda container, invocations one after another) {@code --no-peer} {@code --workers W} (20).
 * Prints one result line per run and a summary; the last line is machine-readable ({@code RESULT {...}}).
 */
public final class ExportEndToEnd {

    public static final String SECRET_ID = "mixpanel";

    public static void main(String[] args) throws Exception {
        int events = 200_000;
        int perMessage = 200;
        int repeat = 3;
        int containers = 1;
        int workers = 20;
        int warmup = 40_000;
        boolean peer = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--per-message" -> perMessage = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--containers" -> containers = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--no-peer" -> peer = false;
                case "--warmup-events" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Result r = run(events, perMessage, repeat, containers, peer, workers, warmup, System.out);
        System.out.println("RESULT " + r.toJson());
    }

    public record Result(int events, List<Double> exporterEventsPerSecond, List<Double> exporterWallEventsPerSecond,
                         List<Double> peerEventsPerSecond, List<Double> peerWallEventsPerSecond, long requestsPerRun,
                         double ratioMedian, double cpuMicrosPerEvent) {
        public String toJson() {
            return "{\"events\":" + events + ",\"exporter_eps\":" + exporterEventsPerSecond + ",\"exporter_wall_eps\":"
                    + exporterWallEventsPerSecond + ",\"peer_eps\":" + peerEventsPerSecond + ",\"peer_wall_eps\":"
                    + peerWallEventsPerSecond + ",\"requests_per_run\":" + requestsPerRun + ",\"ratio_median\":"
                    + ratioMedian + ",\"cpu_us_per_event\":" + cpuMicrosPerEvent + "}";
        }
    }

    public static Result run(int events, int perMessage, int repeat, int containers, boolean peer, int workers,
                             int warmupEvents, PrintStream out) throws Exception {
        out.println(Procs.fmt("export end to end: %,d events, %d per SQS message, 10 messages per invocation, %d container(s)",
                events, perMessage, containers));
        List<String> httpEvents = new CurrentsTraffic(2026, 0).httpEvents(events);
        List<SQSEvent> invocations = sqsEvents(httpEvents, perMessage);
        Path peerInput = Files.createTempFile("peer-events", ".ndjson");
        int mapped = writeMixpanelForm(httpEvents, peerInput);
        if (mapped != events) {
            throw new IllegalStateException("expected every event to map, got " + mapped + " of " + events);
        }
        AtomicLong logLines = new AtomicLong();
        Log.setSink(line -> logLines.incrementAndGet());
        Metrics.setSink(line -> logLines.incrementAndGet());

        List<Double> exporter = new ArrayList<>();
        List<Double> exporterWall = new ArrayList<>();
        List<Double> peerRates = new ArrayList<>();
        List<Double> peerWall = new ArrayList<>();
        List<Double> cpuMicrosPerEvent = new ArrayList<>();
        long requests = 0;
        try (Procs.SinkProcess sink = Procs.SinkProcess.start()) {
            if (warmupEvents > 0) {
                // a Lambda container handles many batches: measure it warm, as it runs most of its life
                int warmInvocations = Math.max(1, Math.min(invocations.size(), warmupEvents / (perMessage * 10)));
                long w0 = System.nanoTime();
                export(invocations.subList(0, warmInvocations), sink, containers);
                out.println(Procs.fmt("  warm-up: %d invocations in %.0f ms (not counted)", warmInvocations,
                        (System.nanoTime() - w0) / 1e6));
            }
            for (int rep = 0; rep < repeat; rep++) {
                sink.reset();
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                int failures = export(invocations, sink, containers);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
                cpuMicrosPerEvent.add(cpuSeconds * 1e6 / events);
                LoopbackSink.Stats s = sink.stats();
                check(s, events, "exporter");
                if (failures != 0) {
                    throw new IllegalStateException(failures + " messages reported as failed");
                }
                requests = s.requests();
                exporter.add(events / (s.spanMillis() / 1000));
                exporterWall.add(events / seconds);
                out.println(Procs.fmt("  exporter run %d: %,.0f events/s (sink span %.0f ms; handler loop %.0f ms), %d requests, "
                                + "gzip %d, max batch %d, %.1f MB on the wire; exporter JVM CPU %.1f us/event", rep + 1,
                        exporter.getLast(), s.spanMillis(), seconds * 1000, s.requests(), s.gzipRequests(), s.maxBatch(),
                        s.wireBytes() / 1e6, cpuMicrosPerEvent.getLast()));
                if (peer) {
                    sink.reset();
                    long p0 = System.nanoTime();
                    int code = runPeer(peerInput, sink, workers);
                    double peerSeconds = (System.nanoTime() - p0) / 1e9;
                    LoopbackSink.Stats ps = sink.stats();
                    if (code != 0) {
                        throw new IllegalStateException("peer exited with " + code + " (see " + peerLog() + ")");
                    }
                    check(ps, events, "peer");
                    peerRates.add(events / (ps.spanMillis() / 1000));
                    peerWall.add(events / peerSeconds);
                    out.println(Procs.fmt("  peer     run %d: %,.0f events/s (sink span %.0f ms; process %.0f ms), %d requests, "
                                    + "gzip %d, max batch %d, %.1f MB on the wire", rep + 1, peerRates.getLast(),
                            ps.spanMillis(), peerSeconds * 1000, ps.requests(), ps.gzipRequests(), ps.maxBatch(),
                            ps.wireBytes() / 1e6));
                }
            }
        } finally {
            Files.deleteIfExists(peerInput);
        }
        double ratio = peer ? Procs.median(exporter) / Procs.median(peerRates) : Double.NaN;
        out.println(Procs.fmt("exporter median %,.0f events/s (range %s); wall incl. first batch %,.0f; CPU %.1f us/event (range %s)",
                Procs.median(exporter), Procs.range(exporter, "%,.0f"), Procs.median(exporterWall),
                Procs.median(cpuMicrosPerEvent), Procs.range(cpuMicrosPerEvent, "%.1f")));
        if (peer) {
            out.println(Procs.fmt("peer     median %,.0f events/s (range %s); wall incl. node start %,.0f",
                    Procs.median(peerRates), Procs.range(peerRates, "%,.0f"), Procs.median(peerWall)));
            out.println(Procs.fmt("ratio exporter/peer: %.2f (goal >= 3)", ratio));
        }
        return new Result(events, exporter, exporterWall, peerRates, peerWall, requests, ratio, Procs.median(cpuMicrosPerEvent));
    }

    /** CPU time of this JVM (all threads: handler, HTTP client, JIT, GC): what a Lambda container is billed for. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void check(LoopbackSink.Stats s, int events, String who) {
        if (s.events() != events || s.refused() != 0) {
            throw new IllegalStateException(who + ": sink counted " + s.events() + " events, refused " + s.refused()
                    + " requests; expected " + events);
        }
    }

    /** Runs every invocation through handlers (one per simulated container); returns the failed message count. */
    static int export(List<SQSEvent> invocations, Procs.SinkProcess sink, int containers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(containers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < containers; c++) {
                int first = c;
                ExportHandler handler = handler(sink.baseUrl());
                results.add(pool.submit(() -> {
                    int failed = 0;
                    for (int i = first; i < invocations.size(); i += containers) {
                        SQSBatchResponse r = handler.handleRequest(invocations.get(i), null);
                        failed += r.getBatchItemFailures().size();
                    }
                    return failed;
                }));
            }
            int failed = 0;
            for (Future<Integer> f : results) {
                failed += f.get();
            }
            return failed;
        } finally {
            pool.shutdown();
        }
    }

    /** The export handler through its ports constructor: real Mixpanel client (shared JDK client), secret in memory. */
    public static ExportHandler handler(java.net.URI sinkUrl) {
        RejectSink rejects = new RejectSink() {
            @Override
            public List<RejectedEvent> send(List<RejectedEvent> rejected) {
                throw new IllegalStateException(rejected.size() + " events rejected, first: " + rejected.getFirst().reasonCode());
            }
        };
        return handler(sinkUrl, rejects, Map.of());
    }

    /** The same with the given rejects port and extra environment (e.g. {@code MIXPANEL_CONCURRENCY}). */
    public static ExportHandler handler(java.net.URI sinkUrl, RejectSink rejects, Map<String, String> extraEnv) {
        MixpanelHttpImport mixpanel = new MixpanelHttpImport(SharedHttpClient.get(), sinkUrl,
                new MapSecretSource(Map.of(SECRET_ID, LoopbackSink.SECRET_JSON)), SECRET_ID);
        ObjectSource objects = (bucket, key) -> {
            throw new IOException("no S3 in this harness");
        };
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("MIXPANEL_SECRET_ID", SECRET_ID);
        env.put("MIXPANEL_API_URL", sinkUrl.toString());
        return new ExportHandler(new ExportPorts(mixpanel, rejects, objects), Env.of(env));
    }

    /**
     * The export handler as deployed (the Lambda constructor's settings): ports constructor with the given
     * {@link MessageVisibility} (e.g. {@code SqsMessageVisibility} on the export queue), Mixpanel's retry schedule
     * slept by {@code sleeper} with random jitter, and a batch returned whole failing the invocation
     * ({@code FAIL_INVOCATION}). {@code extraEnv} carries e.g. {@code MIXPANEL_CONCURRENCY}, {@code REJECTS_QUEUE_URL},
     * {@code EXPORT_MAX_RECEIVES}.
     */
    public static ExportHandler deployedHandler(java.net.URI sinkUrl, RejectSink rejects, MessageVisibility visibility,
                                                Sleeper sleeper, Map<String, String> extraEnv) {
        MixpanelHttpImport mixpanel = new MixpanelHttpImport(SharedHttpClient.get(), sinkUrl,
                new MapSecretSource(Map.of(SECRET_ID, LoopbackSink.SECRET_JSON)), SECRET_ID);
        ObjectSource objects = (bucket, key) -> {
            throw new IOException("no S3 in this harness");
        };
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("MIXPANEL_SECRET_ID", SECRET_ID);
        env.put("MIXPANEL_API_URL", sinkUrl.toString());
        return new ExportHandler(new ExportPorts(mixpanel, rejects, objects, visibility), Env.of(env), sleeper,
                new SplittableRandom(), ExportHandler.WholeBatchReturned.FAIL_INVOCATION);
    }

    /** HTTP-connector batches of {@code perMessage} events, 10 messages per SQS event (Lambda's batch size here). */
    public static List<SQSEvent> sqsEvents(List<String> httpEvents, int perMessage) {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (int i = 0; i < httpEvents.size(); i += perMessage) {
            String body = "{\"events\":[" + String.join(",", httpEvents.subList(i, Math.min(i + perMessage, httpEvents.size()))) + "]}";
            messages.add(message("msg-" + messages.size(), body));
        }
        List<SQSEvent> events = new ArrayList<>();
        for (int i = 0; i < messages.size(); i += 10) {
            SQSEvent e = new SQSEvent();
            e.setRecords(new ArrayList<>(messages.subList(i, Math.min(i + 10, messages.size()))));
            events.add(e);
        }
        return events;
    }

    public static SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setReceiptHandle("rh-" + id);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:currents-export");
        m.setAwsRegion("us-east-1");
        m.setAttributes(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", "1764300000000"));
        m.setMessageAttributes(Map.of());
        return m;
    }

    /** The exporter's own output bytes, one per line: what the peer is given to push. Returns how many mapped. */
    static int writeMixpanelForm(List<String> httpEvents, Path file) throws IOException {
        EventMapper mapper = new EventMapper(MappingConfig.defaults());
        CurrentsJsonDecoder decoder = new CurrentsJsonDecoder();
        int[] mapped = {0};
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            EventSink sink = new EventSink() {
                @Override
                public void accept(CurrentsEvent event) {
                    if (mapper.map(event) instanceof MappingResult.Mapped m) {
                        try {
                            out.write(m.json());
                            out.write('\n');
                            mapped[0]++;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }

                @Override
                public void reject(DecodeFailure failure) {
                    throw new IllegalStateException(failure.reason());
                }
            };
            for (String e : httpEvents) {
                decoder.decodeHttpEvent(Json.MAPPER.readTree(e), 0, sink);
            }
        }
        return mapped[0];
    }

    static Path peerLog() {
        return Path.of(System.getProperty("java.io.tmpdir"), "mixpanel-import-peer.log");
    }

    /** {@code node -r redirect-to-sink.cjs node_modules/mixpanel-import/index.js <file> ...}: its best settings. */
    static int runPeer(Path input, Procs.SinkProcess sink, int workers) throws IOException, InterruptedException {
        Path root = Procs.repoRoot();
        Path preload = root.resolve("benchmarks/peer/redirect-to-sink.cjs");
        Path tool = root.resolve("node_modules/mixpanel-import/index.js");
        List<String> cmd = Procs.args("node", "-r", preload.toString(), tool.toString(), input.toString(),
                "--secret", "bench-secret", "--type", "event", "--format", "jsonl", "--workers", String.valueOf(workers),
                "--compress", "--batch", "2000", "--strict", "--logs", "false", "--verbose", "false");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(peerLog().toFile()));
        pb.environment().put("MIXPANEL_SINK", sink.baseUrl().toString());
        Process p = pb.start();
        try (InputStream ignored = p.getInputStream()) {
            return p.waitFor();
        }
    }
}
