package dev.currentsbridge.bench.harness;

import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.bench.jmh.AvroDecodeBenchmark;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory: a fresh JVM on the SHADED jar with {@code -Xmx128m} (and Lambda's JIT flags) exports one Currents Avro
 * file of N events (snappy, then deflate) read from S3 (the real SDK client against the loopback S3 stand-in),
 * through the Lambda constructor of {@link dev.currentsbridge.export.ExportHandler}; every event must reach the
 * sink. Reports peak RSS (VmHWM) and the time taken. Also proves the shaded jar decodes deflate and snappy without
 * commons-compress.
 *
 * <p>Args: {@code --events N} (100000) {@code --xmx 128m} {@code --jar PATH} {@code --type T}.
 */
public final class MemoryHarness {

    public static final String BUCKET = "currents-bench";

    public static void main(String[] args) throws Exception {
        int events = 100_000;
        String xmx = "128m";
        Path jar = null;
        String type = "users.messages.email.Open";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--xmx" -> xmx = args[++i];
                case "--jar" -> jar = Path.of(args[++i]);
                case "--type" -> type = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Map<String, Map<String, Double>> r = run(jar == null ? Procs.functionsJar() : jar, events, xmx, type, System.out);
        System.out.println("RESULT " + r);
    }

    public static Map<String, Map<String, Double>> run(Path jar, int events, String xmx, String type, PrintStream out)
            throws Exception {
        String cp = jar.toAbsolutePath() + java.io.File.pathSeparator + Procs.benchClasses();
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        out.println(Procs.fmt("memory: %,d-event Avro file (%s) through the shaded jar with -Xmx%s", events, type, xmx));
        try (LoopbackSink sink = LoopbackSink.start()) {
            Map<String, String> env = ColdStart.env(sink);
            for (String codec : List.of("snappy", "deflate")) {
                byte[] file = new CurrentsTraffic(5, 0).avroFile(type, events, AvroDecodeBenchmark.codec(codec));
                String key = "currents/dataexport.prod-01.S3.integration.bench/event_type=" + type
                        + "/date=2026-11-28-22/0/bench-" + codec + ".avro";
                sink.putObject(BUCKET, key, file);
                Path bodies = Files.createTempFile("memory-sqs", ".txt");
                Files.writeString(bodies, s3Notification(BUCKET, key, file.length) + "\n", StandardCharsets.UTF_8);
                List<String> jvm = new ArrayList<>(List.of("-Xmx" + xmx));
                sink.reset();
                ColdStart.Child c = ColdStart.spawn(cp, jvm, LambdaChild.class.getName(), List.of(bodies.toString(), "--rss"), env);
                Files.deleteIfExists(bodies);
                LoopbackSink.Stats s = sink.stats();
                if (c.phase("failures") != 0 || s.events() != events || s.refused() != 0 || s.objectReads() != 1) {
                    throw new IllegalStateException(codec + ": sink saw " + s.events() + " of " + events + " events ("
                            + s.objectReads() + " S3 reads, " + s.refused() + " refused); child: " + c.line);
                }
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("file_mb", file.length / 1e6);
                m.put("vmhwm_mb", c.phase("vmhwm_kb") / 1024);
                m.put("export_ms", c.phase("first_batch_ms"));
                m.put("events_per_s", events / (c.phase("first_batch_ms") / 1000));
                m.put("requests", (double) s.requests());
                results.put(codec, m);
                out.println(Procs.fmt("  %-7s file %.1f MB: ok, %,d events in %d requests, %.0f ms (%,.0f events/s), peak RSS (VmHWM) %.0f MB",
                        codec, m.get("file_mb"), s.events(), s.requests(), m.get("export_ms"), m.get("events_per_s"), m.get("vmhwm_mb")));
            }
        }
        return results;
    }

    /** An S3 "object created" notification as S3 sends it to SQS (key URL-encoded). */
    static String s3Notification(String bucket, String key, long size) {
        String encoded = java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
        return "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2026-11-28T22:00:00.000Z\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"s3SchemaVersion\":\"1.0\","
                + "\"bucket\":{\"name\":\"" + bucket + "\",\"arn\":\"arn:aws:s3:::" + bucket + "\"},\"object\":{\"key\":\""
                + encoded + "\",\"size\":" + size + "}}}]}";
    }
}
