package dev.currentsbridge.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bridge local} as a newcomer runs it: the README command, on the project's own samples. */
class LocalCommandTest {

    @TempDir
    Path tmp;

    private String[] local(String... extra) {
        List<String> args = new ArrayList<>(List.of("local", "--port", "0", "--state", tmp.resolve("state").toString(),
                "--out", tmp.resolve("out").toString(), "--template", Cli.TEMPLATE.toString(),
                "--s3-root", tmp.resolve("s3").toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void replayOfTheSamplesWritesTheExactMixpanelEventsAndBrazeCohortUpdates() throws Exception {
        Cli.Result r = Cli.run(local("--replay", Cli.SAMPLES.toString(), "--exit-after-replay"));

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("POST   /currents"), r.out());
        assertTrue(r.out().contains("POST   /mixpanel/webhook"), r.out());
        Matcher key = Pattern.compile("data import key\\s+(cbk_\\S+)").matcher(r.out());
        assertTrue(key.find(), r.out());

        // Every sample Currents event the mapper exports appears, byte for byte, as one /import line.
        Set<String> lines = new HashSet<>(ndjsonLines(tmp.resolve("out/mixpanel")));
        List<String> expected = expectedMixpanelLines();
        assertTrue(expected.size() > 30, "samples should hold many exportable events: " + expected.size());
        for (String e : expected) {
            assertTrue(lines.contains(e), "missing in the Mixpanel dry-run output: " + e);
        }

        // The webhook/partner samples become /users/track bodies after the refresh: one per cohort (the refresh
        // works one cohort at a time, docs/COHORTS.md), here two.
        List<Path> braze = files(tmp.resolve("out/braze"));
        assertEquals(2, braze.size(), r.out());
        List<JsonNode> objects = new java.util.ArrayList<>();
        for (Path file : braze) {
            Json.MAPPER.readTree(file.toFile()).path("attributes").forEach(objects::add);
        }
        Map<String, String> adds = new TreeMap<>();
        for (JsonNode a : objects) {
            assertTrue(a.path("_update_existing_only").asBoolean(), a.toString());
            // A user is named by external_id, or (partner route aliases) by a user_alias object.
            JsonNode alias = a.path("user_alias");
            String user = alias.isObject()
                    ? "alias " + alias.path("alias_label").asText() + "/" + alias.path("alias_name").asText()
                    : a.path("external_id").asText();
            adds.put(user, a.path("Mixpanel_Cohorts").path("add").toString());
        }
        assertEquals(Map.of("user-01000", "[\"Churn risk\"]", "user-01001", "[\"Churn risk\"]",
                "alias mixpanel_distinct_id/anon-7f3a", "[\"Churn risk\"]",
                "user-01003", "[\"Power users\"]", "user-01004", "[\"Power users\"]"), adds);

        assertTrue(r.out().contains("cohort changes applied 5 user update(s) in 2 /users/track request(s)"), r.out());
        assertTrue(Pattern.compile("exported\\s+\\d+").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("malformed:not_json: 1"), r.out());
        assertTrue(Files.readString(tmp.resolve("out/logs/bridge.log")).contains("export batch done"));
    }

    @Test
    void restartKeepsTheKeyAndTheCohorts() {
        Cli.Result first = Cli.run(local("--replay", Cli.SAMPLES.resolve("apigw/webhook-add-members.json").toString(),
                "--exit-after-replay"));
        assertEquals(0, first.exitCode(), first.toString());
        String key = firstMatch("data import key\\s+(cbk_\\S+)", first.out());
        assertTrue(first.out().contains("(new)"), first.out());

        Cli.Result second = Cli.run(local("--replay", Cli.SAMPLES.resolve("apigw/status-list-cohorts.json").toString(),
                "--exit-after-replay"));
        assertEquals(0, second.exitCode(), second.toString());
        assertEquals(key, firstMatch("data import key\\s+(cbk_\\S+)", second.out()));
        assertTrue(second.out().contains("(kept from the last run)"), second.out());
        // GET /cohorts with the substituted key answers 200 with the cohort stored by the first run.
        assertTrue(second.out().contains("status-list-cohorts.json") && second.out().contains("HTTP 200"), second.out());
    }

    @Test
    void aMessageMixpanelKeepsRefusingWaitsTheHandlersDelayThenIsGivenUpToTheRejects() throws Exception {
        // Was: retried after the 200 ms visibility timeout, then dead-lettered. Local mode now paces redelivery as
        // deployed: a 401 is a configuration error, so the handler hides the message for an hour, and on the last
        // receive the handler gives it up to the rejects instead of leaving it to the dead-letter list.
        AtomicInteger requests = new AtomicInteger();
        HttpServer mixpanel = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mixpanel.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] b = "{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(401, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        mixpanel.start();
        try {
            Path secret = tmp.resolve("mixpanel.json");
            Files.writeString(secret, "{\"project_token\":\"wrong\"}");
            String sample = Cli.SAMPLES.resolve("currents/users.messages.email.Open.json").toString();
            String url = "http://127.0.0.1:" + mixpanel.getAddress().getPort();
            Cli.Result paced = Cli.run(local("--replay", sample, "--mixpanel-secret-file", secret.toString(),
                    "--mixpanel-url", url, "--visibility-timeout", "200ms", "--max-receive-count", "2",
                    "--exit-after-replay"));
            assertEquals(0, paced.exitCode(), paced.toString());
            assertTrue(paced.out().contains("1 sent, 0 done, 0 dead-lettered, 1 still queued"), paced.out());
            // One receive (the request, and once more after re-reading the credentials): not retried after 200 ms.
            assertEquals(2, requests.get());

            Cli.Result givenUp = Cli.run(local("--replay", sample, "--mixpanel-secret-file", secret.toString(),
                    "--mixpanel-url", url, "--visibility-timeout", "200ms", "--max-receive-count", "1",
                    "--exit-after-replay"));
            assertEquals(0, givenUp.exitCode(), givenUp.toString());
            assertTrue(givenUp.out().contains("1 sent, 1 done, 0 dead-lettered"), givenUp.out());
            assertEquals(4, requests.get());
            List<Path> rejects = files(tmp.resolve("out/rejects"));
            assertTrue(rejects.stream().anyMatch(f -> read(f).contains("retries_exhausted")), rejects.toString());
            assertFalse(Files.exists(tmp.resolve("out/mixpanel")) && !files(tmp.resolve("out/mixpanel")).isEmpty());
        } finally {
            mixpanel.stop(0);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anAvroFileUnderTheS3RootIsAnnouncedAndExported() throws Exception {
        Path avro = tmp.resolve("s3/currents-bucket").resolve(CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "1"));
        Files.createDirectories(avro.getParent());
        Files.write(avro, CurrentsFixtures.emailOpenAvro("avro", 20, 4, CodecFactory.snappyCodec()));
        Cli.Result r = Cli.run(local("--replay", avro.toString(), "--exit-after-replay"));
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = ndjsonLines(tmp.resolve("out/mixpanel"));
        assertEquals(15, lines.size(), r.out());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"event\":\"Email Open\"")), lines.toString());
        assertTrue(r.out().contains("skipped                5"), r.out());
    }

    @Test
    void badHandlerConfigurationIsOneLine() {
        Cli.Result r = Cli.run(Map.of("EXPORT_EVENT_TYPES", "users.no.Such"), local("--exit-after-replay"));
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("configuration of ExportHandler: EXPORT_EVENT_TYPES"), r.toString());
    }

    @Test
    void aSecondLocalOnTheSameStateIsRefused() {
        try (LocalState held = LocalState.openExclusive(tmp.resolve("state"))) {
            Cli.Result r = Cli.run(local("--exit-after-replay"));
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
            assertTrue(r.err().contains("another 'bridge local' is using"), r.toString());
        }
    }

    @Test
    void aBusyPortIsOneLine() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> args = new ArrayList<>(List.of(local("--exit-after-replay")));
            args.set(args.indexOf("--port") + 1, Integer.toString(busy.getLocalPort()));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
            assertTrue(r.err().contains("cannot start the local API on 127.0.0.1:" + busy.getLocalPort() + ": port in use"),
                    r.toString());
        }
    }

    @Test
    void missingReplayPathIsOneLine() {
        Cli.Result r = Cli.run(local("--replay", tmp.resolve("nope").toString(), "--exit-after-replay"));
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("--replay: no such file or directory"), r.toString());
    }

    /** What the export function must send for each sample: decoded and mapped here by the same domain code. */
    private static List<String> expectedMixpanelLines() throws IOException {
        EventMapper mapper = new EventMapper(MappingConfig.defaults());
        CurrentsJsonDecoder decoder = new CurrentsJsonDecoder();
        List<String> expected = new ArrayList<>();
        EventSink sink = new EventSink() {
            @Override
            public void accept(CurrentsEvent event) {
                if (mapper.map(event) instanceof MappingResult.Mapped m) {
                    expected.add(new String(m.json(), StandardCharsets.UTF_8));
                }
            }

            @Override
            public void reject(DecodeFailure failure) {
            }
        };
        for (Path f : files(Cli.SAMPLES.resolve("currents"))) {
            if (!f.toString().endsWith(".json")) {
                continue;
            }
            JsonNode n = Json.MAPPER.readTree(f.toFile());
            if (CurrentsJsonDecoder.looksLikeHttpBatch(n)) {
                try {
                    decoder.decodeHttpBatch(n, sink);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            } else {
                decoder.decodeStorage(n, null, sink);
            }
        }
        return expected;
    }

    static List<String> ndjsonLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path f : files(dir)) {
            lines.addAll(Files.readAllLines(f));
        }
        return lines;
    }

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    private static String firstMatch(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }
}
