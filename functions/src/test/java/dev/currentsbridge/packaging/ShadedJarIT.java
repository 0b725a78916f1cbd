package dev.currentsbridge.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The deployable artifact itself (runs in {@code verify}, after {@code package}): size budget, one HTTP client,
 * the handler classes, and a child JVM that reads deflate and snappy Avro files using only the jar's classes
 * (commons-compress is excluded from it, so this proves the codecs Currents uses still work).
 */
class ShadedJarIT {

    static final Path JAR = Path.of("target/currents-bridge-functions.jar");
    static final long BUDGET_BYTES = 16L * 1024 * 1024;

    @Test
    void fitsTheBudgetAndCarriesOneHttpClient() throws IOException {
        long size = Files.size(JAR);
        System.out.printf("shaded Lambda jar: %,d bytes (budget %,d)%n", size, BUDGET_BYTES);
        assertTrue(size <= BUDGET_BYTES, "jar is " + size + " bytes");
        List<String> forbidden = new ArrayList<>();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("org/apache/hc/") || n.startsWith("org/apache/http/")
                    || n.startsWith("io/netty/") || n.startsWith("software/amazon/awssdk/http/apache")
                    || n.startsWith("software/amazon/awssdk/http/urlconnection") || n.startsWith("software/amazon/awssdk/services/s3/")
                    || n.startsWith("org/apache/commons/compress/")).limit(5).forEach(forbidden::add);
            for (String handler : List.of("dev/currentsbridge/export/ExportHandler.class",
                    "dev/currentsbridge/export/CurrentsIngestHandler.class", "dev/currentsbridge/cohorts/CohortApiHandler.class",
                    "dev/currentsbridge/cohorts/CohortRefreshHandler.class", "mapping/currents-to-mixpanel.tsv")) {
                assertTrue(zip.getEntry(handler) != null, handler + " missing from the jar");
            }
        }
        assertEquals(List.of(), forbidden, "classes that must not ship in the Lambda jar");
    }

    @Test
    void carriesNoLocalOrTestCode() throws IOException {
        // The Lambda jar is production-only: stand-ins, local-mode adapters, test frameworks and emulators
        // live in the standins module (cli and benchmarks use it; functions only at test scope).
        List<String> offenders = new ArrayList<>();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/currentsbridge/standins/")
                    || n.startsWith("dev/currentsbridge/testing/") || n.startsWith("dev/currentsbridge/cli/")
                    || n.startsWith("org/junit/") || n.startsWith("org/elasticmq/") || n.startsWith("org/apache/pekko/")
                    || n.startsWith("org/testcontainers/") || n.startsWith("scala/")
                    // class names the stand-ins use: a local/test prefix or a fake/stub/emulator suffix
                    || n.matches("dev/currentsbridge/(.*/)?(InMemory|File|Fake|Faulty|DryRun|Embedded|LocalLambda)[A-Za-z$]*\\.class")
                    || n.matches("dev/currentsbridge/.*(Fake|Stub|Emulator)(\\$[A-Za-z0-9$]*)?\\.class"))
                    .limit(10).forEach(offenders::add);
            assertTrue(zip.stream().filter(e -> e.getName().startsWith("dev/currentsbridge/")).count() > 100,
                    "the rule must look at the project's classes");
        }
        assertEquals(List.of(), offenders, "local or test code in the Lambda jar");
    }

    @Test
    void ownEntriesCarryTheFixedBuildTimestamp() throws Exception {
        // Reproducible bytes (so the CDK/SAM asset hash changes only with the code): dependency entries come
        // from fixed jars, and the project's own freshly compiled entries must carry project.build.outputTimestamp
        // instead of the build's wall-clock time.
        long fixed = java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            List<String> off = zip.stream().filter(e -> e.getName().startsWith("dev/currentsbridge/"))
                    .filter(e -> Math.abs(e.getLastModifiedTime().toMillis() - fixed) > 24L * 3600 * 1000)
                    .map(e -> e.getName()).limit(3).toList();
            assertEquals(List.of(), off);
        }
    }

    @Test
    void readsDeflateAndSnappyAvroWithOnlyTheJarsClasses() throws Exception {
        Path out = Files.createTempFile("probe", ".txt");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-Xmx128m", "-cp",
                JAR.toAbsolutePath() + java.io.File.pathSeparator + Path.of("target/test-classes").toAbsolutePath(),
                ShadedJarProbe.class.getName(), out.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe hung");
        assertEquals(0, p.exitValue(), output);
        String result = Files.readString(out).trim();
        assertEquals("deflate=1000 snappy=1000 null=1000 mapped=3000", result, output);
    }
}
