package dev.currentsbridge.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Shared bits of the whole-process harnesses: locating the repo and the JVM, child processes, the sink, medians. */
public final class Procs {

    private static final HttpClient CONTROL = HttpClient.newHttpClient();

    private Procs() {
    }

    /** The repository root: {@code -Dbench.repoRoot}, else the first directory above the working one with a mvnw. */
    public static Path repoRoot() {
        String configured = System.getProperty("bench.repoRoot");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw")) && Files.isDirectory(d.resolve("functions"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The shaded Lambda jar: {@code -Dbench.functionsJar}, else functions/target/currents-bridge-functions.jar. */
    public static Path functionsJar() {
        String configured = System.getProperty("bench.functionsJar");
        Path jar = configured != null ? Path.of(configured) : repoRoot().resolve("functions/target/currents-bridge-functions.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("shaded jar missing: " + jar + " (build it: ./mvnw -pl functions package -DskipTests)");
        }
        return jar.toAbsolutePath();
    }

    /** This module's own classes (for child JVMs that must see only the shaded jar plus the harness). */
    public static Path benchClasses() {
        String configured = System.getProperty("bench.classes");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        try {
            return Path.of(Procs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sink in its own JVM (so its CPU is not billed to the process measured); closed by closing its stdin. */
    public static final class SinkProcess implements AutoCloseable {
        private final Process process;
        private final URI baseUrl;

        private SinkProcess(Process process, URI baseUrl) {
            this.process = process;
            this.baseUrl = baseUrl;
        }

        public static SinkProcess start() {
            List<String> cmd = List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), LoopbackSink.class.getName());
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("PORT ")) {
                    p.destroyForcibly();
                    throw new IllegalStateException("sink did not start: " + line);
                }
                return new SinkProcess(p, URI.create("http://127.0.0.1:" + line.substring(5).trim()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public URI baseUrl() {
            return baseUrl;
        }

        public void reset() {
            call("POST", "/reset");
        }

        public LoopbackSink.Stats stats() {
            return LoopbackSink.Stats.parse(call("GET", "/stats"));
        }

        private String call(String method, String path) {
            try {
                HttpRequest r = HttpRequest.newBuilder(baseUrl.resolve(path))
                        .method(method, HttpRequest.BodyPublishers.noBody()).build();
                return CONTROL.send(r, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    public static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static String range(List<Double> values, String format) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, format + " .. " + format, min, max);
    }

    /** The 1, 5 and 15 minute load averages ("?" where /proc is missing): the figures are noisy without it. */
    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    public static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Runs a command to its end; returns its exit code. Output goes to {@code log} (appended). */
    public static int run(List<String> cmd, Path workDir, Path log) {
        try {
            Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static List<String> args(String... a) {
        return new ArrayList<>(Arrays.asList(a));
    }
}
