package dev.currentsbridge.bench.harness;

import dev.currentsbridge.bench.CurrentsTraffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cold start: fresh JVMs on the shaded Lambda jar with Lambda's JIT flags, from process start to the first SQS
 * event of 10 messages exported (the handler returned), against the floor (the same JVM and class path running a
 * no-op main). The headline variant is an on-demand init ({@code AWS_LAMBDA_INITIALIZATION_TYPE=on-demand}, as
 * Lambda sets it). Also: the same with the init type unset (no background work: the serial reference), a SnapStart
 * init with priming ({@code beforeCheckpoint}) before the first batch, a phased run timing each SDK client, and
 * the classes loaded ({@code -Xlog:class+load}) by origin.
 *
 * <p>Args: {@code --runs N} (7) {@code --jar PATH} (the shaded jar) {@code --per-message M} (20 events per
 * HTTP-connector batch message) {@code --jvm-arg X} (repeatable; e.g. {@code -XX:SharedArchiveFile=app.jsa})
 * {@code --class-list PATH} (keep the list of classes the cold path loads).
 */
public final class ColdStart {

    public static final List<String> LAMBDA_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED");
    /** {@code --jvm-arg X}: added to every child (experiments such as an AppCDS archive). */
    static final List<String> EXTRA_JVM_ARGS = new ArrayList<>();
    /** {@code --class-list PATH}: where to keep the cold path's {@code -Xlog:class+load} output (every class, its origin). */
    static Path classList;

    public static void main(String[] args) throws Exception {
        int runs = 7;
        Path jar = null;
        int perMessage = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jvm-arg" -> EXTRA_JVM_ARGS.add(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--per-message" -> perMessage = Integer.parseInt(args[++i]);
                case "--class-list" -> classList = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Result r = run(jar == null ? Procs.functionsJar() : jar, runs, perMessage, System.out);
        System.out.println("RESULT " + r.toJson());
    }

    public record Result(long jarBytes, double floorMedianMs, double coldMedianMs, double primedFirstBatchMedianMs,
                         double unprimedFirstBatchMedianMs, int classesLoaded, Map<String, Double> phaseMedians) {
        public String toJson() {
            return "{\"jar_bytes\":" + jarBytes + ",\"floor_ms\":" + floorMedianMs + ",\"cold_ms\":" + coldMedianMs
                    + ",\"first_batch_unprimed_ms\":" + unprimedFirstBatchMedianMs + ",\"first_batch_primed_ms\":"
                    + primedFirstBatchMedianMs + ",\"classes_loaded\":" + classesLoaded + ",\"phases\":\"" + phaseMedians + "\"}";
        }
    }

    public static Result run(Path jar, int runs, int perMessage, PrintStream out) throws Exception {
        Path bodies = Files.createTempFile("cold-start-sqs", ".txt");
        List<String> messages = new ArrayList<>();
        List<String> events = new CurrentsTraffic(11, 0).httpEvents(10 * perMessage);
        for (int i = 0; i < 10; i++) {
            messages.add("{\"events\":[" + String.join(",", events.subList(i * perMessage, (i + 1) * perMessage)) + "]}");
        }
        Files.write(bodies, messages, StandardCharsets.UTF_8);
        String cp = jar.toAbsolutePath() + java.io.File.pathSeparator + Procs.benchClasses();
        out.println(Procs.fmt("cold start: %s (%.1f MB), flags %s, %d runs, first SQS event = 10 messages x %d events",
                jar.getFileName(), Files.size(jar) / 1e6, LAMBDA_FLAGS, runs, perMessage));
        try (LoopbackSink sink = LoopbackSink.start()) {
            // Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE; the code reads it (InitType) to decide what init may
            // prefetch. "serial" leaves it unset (as in tests and local mode): the same work, nothing overlapped.
            Map<String, String> serialEnv = env(sink);
            Map<String, String> onDemand = withInitType(serialEnv, "on-demand");
            Map<String, String> snapStart = withInitType(serialEnv, "snap-start");
            List<Double> floor = new ArrayList<>();
            List<Double> cold = new ArrayList<>();
            List<Double> serial = new ArrayList<>();
            List<Double> primedFirst = new ArrayList<>();
            List<Double> unprimedFirst = new ArrayList<>();
            List<Double> noSdk = new ArrayList<>();
            Map<String, List<Double>> phases = new TreeMap<>();
            // interleaved, so that machine noise spreads over all variants alike
            for (int i = 0; i < runs; i++) {
                floor.add(spawn(cp, List.of(), NoopMain.class.getName(), List.of(), onDemand).totalMs);
                Child c = spawn(cp, List.of(), LambdaChild.class.getName(), List.of(bodies.toString()), onDemand);
                c.requireExported(sink, 10L * perMessage);
                cold.add(c.totalMs);
                c.phases.forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                phases.computeIfAbsent("jvm_start_to_main_ms", x -> new ArrayList<>()).add(c.jvmToMainMs);
                Child s = spawn(cp, List.of(), LambdaChild.class.getName(), List.of(bodies.toString()), serialEnv);
                s.requireExported(sink, 10L * perMessage);
                serial.add(s.totalMs);
                unprimedFirst.add(s.phase("first_batch_ms"));
                phases.computeIfAbsent("serial:init_ms", x -> new ArrayList<>()).add(s.phase("init_ms"));
                phases.computeIfAbsent("serial:first_batch_ms", x -> new ArrayList<>()).add(s.phase("first_batch_ms"));
                Child p = spawn(cp, List.of(), LambdaChild.class.getName(), List.of(bodies.toString(), "--prime"), snapStart);
                p.requireExported(sink, 10L * perMessage);
                primedFirst.add(p.phase("first_batch_ms"));
                phases.computeIfAbsent("snapstart:prime_ms", x -> new ArrayList<>()).add(p.phase("prime_ms"));
                Child n = spawn(cp, List.of(), LambdaChild.class.getName(), List.of(bodies.toString(), "--no-sdk-path"), onDemand);
                n.requireExported(sink, 10L * perMessage);
                noSdk.add(n.totalMs);
                phases.computeIfAbsent("no-sdk-path:init_ms", x -> new ArrayList<>()).add(n.phase("init_ms"));
                phases.computeIfAbsent("no-sdk-path:first_batch_ms", x -> new ArrayList<>()).add(n.phase("first_batch_ms"));
            }
            Child phased = spawn(cp, List.of(), LambdaChild.class.getName(), List.of(bodies.toString(), "--phased", "--second"), serialEnv);
            phased.requireExported(sink, 20L * perMessage);
            Path classLog = Files.createTempFile("class-load", ".log");
            Child logged = spawn(cp, List.of("-Xlog:class+load=info:file=" + classLog), LambdaChild.class.getName(),
                    List.of(bodies.toString()), onDemand);
            logged.requireExported(sink, 10L * perMessage);
            Map<String, Integer> origins = classOrigins(classLog, jar);
            int classes = origins.values().stream().mapToInt(Integer::intValue).sum();
            if (classList != null) {
                Files.copy(classLog, classList, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                out.println("  the classes, in load order: " + classList);
            }
            Files.deleteIfExists(classLog);
            Files.deleteIfExists(bodies);

            Map<String, Double> medians = new LinkedHashMap<>();
            phases.forEach((k, v) -> medians.put(k, Procs.median(v)));
            out.println(Procs.fmt("  floor (no-op main, same jar)      median %6.0f ms  range %s", Procs.median(floor), Procs.range(floor, "%.0f")));
            out.println(Procs.fmt("  cold: JVM start -> batch answered median %6.0f ms  range %s  (on-demand init)", Procs.median(cold), Procs.range(cold, "%.0f")));
            out.println(Procs.fmt("  above the floor                   median %6.0f ms", Procs.median(cold) - Procs.median(floor)));
            out.println(Procs.fmt("  serial (init type unset: no background work) median %.0f ms (range %s)",
                    Procs.median(serial), Procs.range(serial, "%.0f")));
            out.println("  phases (medians, ms): " + medians);
            out.println(Procs.fmt("  first batch after init: serial median %.0f ms (range %s); after beforeCheckpoint (snap-start) median %.0f ms (range %s)",
                    Procs.median(unprimedFirst), Procs.range(unprimedFirst, "%.0f"), Procs.median(primedFirst), Procs.range(primedFirst, "%.0f")));
            out.println(Procs.fmt("  ALTERNATIVE no SDK on the HTTP-batch path (secret via the Lambda extension, lazy SQS/S3): cold median %.0f ms (range %s)",
                    Procs.median(noSdk), Procs.range(noSdk, "%.0f")));
            out.println("  phased run (one process, serial): " + phased.phases);
            out.println("  classes loaded: " + classes + " by origin " + origins);
            medians.put("serial_cold_ms", Procs.median(serial));
            medians.put("no_sdk_path_cold_ms", Procs.median(noSdk));
            return new Result(Files.size(jar), Procs.median(floor), Procs.median(cold), Procs.median(primedFirst),
                    Procs.median(unprimedFirst), classes, medians);
        }
    }

    static Map<String, String> withInitType(Map<String, String> env, String initType) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put("AWS_LAMBDA_INITIALIZATION_TYPE", initType);
        return copy;
    }

    /** Lambda-like environment: names and endpoints only; the loopback sink also answers Secrets Manager and S3. */
    static Map<String, String> env(LoopbackSink sink) {
        String base = sink.baseUrl().toString();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", base);
        env.put("AWS_ENDPOINT_URL_S3", base);
        env.put("AWS_ENDPOINT_URL_SQS", base);
        env.put("MIXPANEL_API_URL", base);
        env.put("MIXPANEL_SECRET_ID", ExportEndToEnd.SECRET_ID);
        env.put("REJECTS_QUEUE_URL", base + "/000000000000/currents-rejects");
        env.put("PARAMETERS_SECRETS_EXTENSION_URL", base);
        env.put("AWS_SESSION_TOKEN", "bench-session-token");
        return env;
    }

    static final class Child {
        double totalMs;
        double jvmToMainMs;
        final Map<String, Double> phases = new LinkedHashMap<>();
        String line;

        double phase(String key) {
            Double v = phases.get(key);
            if (v == null) {
                throw new IllegalStateException("child did not report " + key + ": " + line);
            }
            return v;
        }

        void requireExported(LoopbackSink sink, long atLeast) {
            if (phase("failures") != 0) {
                throw new IllegalStateException("cold child returned failures: " + line);
            }
            LoopbackSink.Stats s = sink.stats();
            if (s.events() < atLeast) {
                throw new IllegalStateException("sink saw " + s.events() + " events, expected at least " + atLeast);
            }
            sink.reset();
        }
    }

    /** Starts a JVM, times it from just before the spawn to its DONE line; collects its PHASES line. */
    static Child spawn(String cp, List<String> extraJvmArgs, String mainClass, List<String> args, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Procs.javaBin());
        cmd.addAll(LAMBDA_FLAGS);
        cmd.addAll(EXTRA_JVM_ARGS);
        cmd.addAll(extraJvmArgs);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Child child = new Child();
        long spawnEpochMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("DONE")) {
                    child.totalMs = (System.nanoTime() - t0) / 1e6;
                } else if (line.startsWith("PHASES ")) {
                    child.line = line;
                    for (String kv : line.substring(7).trim().split(" ")) {
                        int eq = kv.indexOf('=');
                        child.phases.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
                    }
                } else if (output.length() < 20_000) {
                    output.append(line).append('\n');
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || child.totalMs == 0) {
            throw new IllegalStateException(mainClass + " exited with " + code + ":\n" + output);
        }
        Double mainEpoch = child.phases.remove("main_epoch_ms");
        if (mainEpoch != null) {
            child.jvmToMainMs = mainEpoch - spawnEpochMs;
        }
        return child;
    }

    /** Counts -Xlog:class+load lines by where the class came from: CDS archive, JDK modules, the jar, other. */
    static Map<String, Integer> classOrigins(Path log, Path jar) throws IOException {
        Map<String, Integer> origins = new TreeMap<>();
        String jarName = jar.getFileName().toString();
        Map<String, Integer> jarPackages = new TreeMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int source = line.indexOf("source: ");
            if (source < 0) {
                continue;
            }
            String from = line.substring(source + 8);
            String key;
            if (from.startsWith("shared objects file")) {
                key = "jdk (CDS archive)";
            } else if (from.startsWith("jrt:/")) {
                key = "jdk (modules)";
            } else if (from.contains(jarName)) {
                key = "shaded jar";
                String name = line.substring(line.indexOf(']', line.indexOf("class,load")) + 1, source).trim().split(" ")[0];
                String[] parts = name.split("\\.");
                String pkg = parts.length > 3 ? parts[0] + "." + parts[1] + "." + parts[2] + (parts[0].equals("software") && parts.length > 4 ? "." + parts[3] : "") : name;
                jarPackages.merge(pkg, 1, Integer::sum);
            } else if (from.startsWith("file:")) {
                key = "harness classes";
            } else {
                // "source: <defining class>": lambda proxies and other hidden classes spun at run time
                key = "generated (lambdas, hidden classes)";
            }
            origins.merge(key, 1, Integer::sum);
        }
        System.out.println("  shaded-jar classes by package: " + top(jarPackages, 12));
        return origins;
    }

    private static String top(Map<String, Integer> counts, int n) {
        return counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n)
                .map(e -> e.getKey() + "=" + e.getValue()).toList().toString();
    }
}
