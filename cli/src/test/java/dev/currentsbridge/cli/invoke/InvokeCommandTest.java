package dev.currentsbridge.cli.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bridge invoke <Function> -e <event>} for each function of template.yaml, as a user types it. */
class InvokeCommandTest {

    @TempDir
    Path tmp;

    private Cli.Result invoke(String function, String sample, String... extra) {
        List<String> args = new ArrayList<>(List.of("invoke", function, "-e", Cli.SAMPLES.resolve(sample).toString(),
                "--template", Cli.TEMPLATE.toString(), "--state", tmp.resolve("state").toString(),
                "--out", tmp.resolve("out").toString(), "--s3-root", tmp.resolve("s3").toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void exportFunctionWithAnSqsSample() throws Exception {
        Cli.Result r = invoke("ExportFunction", "sqs/storage-event.json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("{\"batchItemFailures\":[]}", r.out().strip());
        assertTrue(r.err().contains("2 event(s) written to"), r.err());
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(tmp.resolve("out/mixpanel"))) {
            for (Path f : files.toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        assertEquals(2, lines.size());
        for (String l : lines) {
            assertEquals("Email Open", Json.MAPPER.readTree(l).path("event").asText());
        }
    }

    @Test
    void ingestFunctionWithTheValidPostPutsTheBatchOnTheQueue() throws Exception {
        Cli.Result r = invoke("CurrentsIngestFunction", "apigw/currents-post-valid.json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode reply = Json.MAPPER.readTree(r.out());
        assertEquals(200, reply.path("statusCode").asInt(), r.out());
        assertTrue(r.err().contains("export queue received 1 message(s)"), r.err());
    }

    @Test
    void cohortApiFunctionGetsTheLocalKeyInPlaceOfTheSamplePlaceholder() throws Exception {
        Cli.Result ok = invoke("CohortApiFunction", "apigw/webhook-add-members.json");
        assertEquals(0, ok.exitCode(), ok.toString());
        JsonNode reply = Json.MAPPER.readTree(ok.out());
        assertEquals(200, reply.path("statusCode").asInt(), ok.out());
        assertEquals("success", Json.MAPPER.readTree(reply.path("body").asText()).path("status").asText());

        Cli.Result verbatim = invoke("CohortApiFunction", "apigw/webhook-add-members.json", "--verbatim");
        assertEquals(401, Json.MAPPER.readTree(verbatim.out()).path("statusCode").asInt(), verbatim.out());
    }

    @Test
    void refreshFunctionWithTheScheduleSample() throws Exception {
        Cli.Result r = invoke("CohortRefreshFunction", "schedule/refresh.json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode report = Json.MAPPER.readTree(r.out());
        assertEquals(0, report.path("cohortsRefreshed").asInt(), r.out());
        assertTrue(report.has("brazeRequests"), r.out());
    }

    @Test
    void envOverridesReachTheHandler() throws Exception {
        Cli.Result r = invoke("ExportFunction", "sqs/storage-event.json", "--env", "EXPORT_EVENT_TYPES=users.behaviors.CustomEvent");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("{\"batchItemFailures\":[]}", r.out().strip());
        assertTrue(!Files.exists(tmp.resolve("out/mixpanel")) || Files.list(tmp.resolve("out/mixpanel")).findAny().isEmpty(),
                "email opens are not selected any more: nothing may be sent");
    }

    @Test
    void errorsAreOneLine() throws Exception {
        assertOneLine(invoke("NoSuchFunction", "sqs/storage-event.json"), "no function 'NoSuchFunction' in");
        assertOneLine(Cli.run("invoke", "ExportFunction", "--template", Cli.TEMPLATE.toString()), "missing --event FILE");
        assertOneLine(Cli.run("invoke", "ExportFunction", "-e", tmp.resolve("none.json").toString(),
                "--template", Cli.TEMPLATE.toString()), "event file not found");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"Records\": 5}");
        Cli.Result r = Cli.run("invoke", "ExportFunction", "-e", bad.toString(), "--template", Cli.TEMPLATE.toString(),
                "--state", tmp.resolve("state").toString(), "--out", tmp.resolve("out").toString());
        assertOneLine(r, "is not a valid SQSEvent event");
        assertOneLine(Cli.run("invoke", "ExportFunction", "-e", bad.toString(), "--template",
                tmp.resolve("nope.yaml").toString()), "template not found");
        assertOneLine(Cli.run("invoke", "ExportFunction", "-e", bad.toString(), "--env", "NOEQUALS",
                "--template", Cli.TEMPLATE.toString()), "--env expects NAME=VALUE");
    }

    private static void assertOneLine(Cli.Result r, String expected) {
        assertTrue(r.exitCode() != 0, r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains(expected), r.toString());
    }
}
