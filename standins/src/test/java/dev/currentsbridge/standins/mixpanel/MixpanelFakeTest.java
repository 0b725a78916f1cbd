package dev.currentsbridge.standins.mixpanel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Mixpanel emulator enforces the documented {@code /import} contract and answers with the documented bodies. */
class MixpanelFakeTest {

    private static final long NOW = 1_800_000_000L;
    private static final String TOKEN = "Basic " + Base64.getEncoder().encodeToString("tok:".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    private static String event(String insertId, long time, String distinctId) {
        return "{\"event\":\"Email Open\",\"properties\":{\"time\":" + time + ",\"distinct_id\":\"" + distinctId
                + "\"" + (insertId == null ? "" : ",\"$insert_id\":\"" + insertId + "\"") + "}}";
    }

    private static MixpanelFake fake() {
        return MixpanelFake.start().acceptUsername("tok").clock(() -> Instant.ofEpochSecond(NOW));
    }

    private static HttpResponse<String> post(MixpanelFake mp, String query, String auth, String body, boolean gzip)
            throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                z.write(bytes);
            }
            bytes = out.toByteArray();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mp.baseUrl() + "/import" + query))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return SharedHttpClient.get().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String array(int n) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event("id-" + i, NOW - 60, "u" + i));
        }
        return "[" + String.join(",", events) + "]";
    }

    @Test
    void takesTheProductionLimitOfEventsAndRefusesOneMore() throws Exception {
        try (MixpanelFake mp = fake()) {
            HttpResponse<String> ok = post(mp, "?strict=1", TOKEN, array(BatchLimits.MIXPANEL_MAX_EVENTS), true);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(ImportBodies.ok(BatchLimits.MIXPANEL_MAX_EVENTS), ok.body());
            HttpResponse<String> tooMany = post(mp, "?strict=1", TOKEN, array(BatchLimits.MIXPANEL_MAX_EVENTS + 1), true);
            assertEquals(400, tooMany.statusCode());
            assertEquals(BatchLimits.MIXPANEL_MAX_EVENTS, mp.importedUnique());
        }
    }

    @Test
    void theSizeLimitAppliesToTheUncompressedBody() throws Exception {
        try (MixpanelFake mp = fake()) {
            String padded = "[" + event("a", NOW, "u") + "]" + " ".repeat((int) BatchLimits.MIXPANEL_MAX_BODY_BYTES);
            HttpResponse<String> r = post(mp, "?strict=1", TOKEN, padded, true);
            assertEquals(413, r.statusCode());
            assertEquals("{\"code\":413,\"error\":\"request exceeds max limit of 10485760 bytes\","
                    + "\"status\":\"Request Entity Too Large\"}", r.body());
            assertTrue(mp.requests().get(0).wireBytes() < BatchLimits.MIXPANEL_MAX_BODY_BYTES / 100);
        }
    }

    @Test
    void eachEventIsCheckedAndFailuresComeBackByIndexUnderStrictMode() throws Exception {
        try (MixpanelFake mp = fake()) {
            String body = "[" + String.join(",", event("ok-1", NOW, "u1"), event(null, NOW, "u2"),
                    event("ok-3", NOW + 3601, "u3"), event("ok-4", NOW, "undefined"), event("bad_id", NOW, "u5"),
                    event("ok-6", NOW * 1000 + 3_600_000, "u6")) + "]";
            HttpResponse<String> r = post(mp, "?strict=1", TOKEN, body, false);
            assertEquals(400, r.statusCode());
            JsonNode answer = Json.MAPPER.readTree(r.body());
            assertEquals(ImportBodies.PARTIAL_FAILURE, answer.path("error").asText());
            assertEquals(2, answer.path("num_records_imported").asInt());
            List<String> fields = new ArrayList<>();
            answer.path("failed_records").forEach(f -> fields.add(f.path("index").asInt() + " " + f.path("field").asText()));
            assertEquals(List.of("1 properties.$insert_id", "2 properties.time", "3 properties.distinct_id",
                    "4 properties.$insert_id"), fields);

            HttpResponse<String> lax = post(mp, "", TOKEN, body, false);
            assertEquals(200, lax.statusCode(), "without strict=1 Mixpanel imports the valid ones and says OK");
            assertEquals(ImportBodies.ok(2), lax.body());
        }
    }

    @Test
    void credentialsRoutesAndInjectedFaultsGetTheDocumentedAnswers() throws Exception {
        try (MixpanelFake mp = MixpanelFake.start().acceptServiceAccount("sa", "s", "42")) {
            String sa = "Basic " + Base64.getEncoder().encodeToString("sa:s".getBytes(StandardCharsets.UTF_8));
            String body = "[" + event("a", Instant.now().getEpochSecond(), "u") + "]";
            assertEquals(200, post(mp, "?strict=1&project_id=42", sa, body, true).statusCode());
            HttpResponse<String> wrongProject = post(mp, "?strict=1&project_id=43", sa, body, true);
            assertEquals(401, wrongProject.statusCode());
            assertEquals("{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}", wrongProject.body());

            mp.enqueue(MixpanelFake.Fault.rateLimited(7));
            HttpResponse<String> limited = post(mp, "?strict=1&project_id=42", sa, body, true);
            assertEquals(429, limited.statusCode());
            assertEquals("7", limited.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(MixpanelFake.documentedBody(429), limited.body());

            HttpResponse<String> get = SharedHttpClient.get().send(HttpRequest.newBuilder(mp.importUri()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
            assertEquals(404, SharedHttpClient.get().send(HttpRequest.newBuilder(URI.create(mp.baseUrl() + "/groups"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void theRecorderWritesEveryReadBodyAsNdjson() throws Exception {
        try (MixpanelFake mp = fake().recordTo(tmp)) {
            String a = event("a", NOW, "u1");
            String b = event("b", NOW, "u2");
            assertEquals(200, post(mp, "?strict=1", TOKEN, "[" + a + ",\n " + b + "]", true).statusCode());
            assertEquals(200, post(mp, "?strict=1", TOKEN, a + "\n" + b, false).statusCode());
            assertEquals(401, post(mp, "?strict=1", null, "[" + a + "]", false).statusCode());
            List<String> lines = new ArrayList<>();
            try (var files = Files.list(tmp)) {
                for (Path f : files.sorted().toList()) {
                    assertTrue(f.getFileName().toString().matches("import-\\d{8}-\\d{6}-\\d{4}\\.ndjson"), f.toString());
                    lines.addAll(Files.readAllLines(f));
                }
            }
            assertEquals(List.of(a, b, a, b), lines);
            assertEquals(2, mp.readRequests());
            assertEquals(4, mp.eventsImported());
        }
    }

    @Test
    void withoutHistoryOnlyTheCountersGrow() throws Exception {
        try (MixpanelFake mp = fake().keepNoHistory()) {
            String body = "[" + event("a", NOW, "u1") + "," + event(null, NOW, "u2") + "]";
            assertEquals(400, post(mp, "?strict=1", TOKEN, body, true).statusCode(), "the rules still apply");
            assertEquals(List.of(), mp.imported());
            assertEquals(List.of(), mp.requests());
            assertEquals(1, mp.eventsImported());
            assertEquals(1, mp.eventsFailed());
        }
    }

    @Test
    void countOnlyModeChecksTheRequestNotTheEvents() throws Exception {
        try (MixpanelFake mp = fake().countOnly()) {
            String invalid = "[" + String.join(",", Collections.nCopies(3, event(null, 5, "null"))) + "]";
            assertEquals(ImportBodies.ok(3), post(mp, "?strict=1", TOKEN, invalid, true).body());
            assertEquals(400, post(mp, "?strict=1", TOKEN, array(BatchLimits.MIXPANEL_MAX_EVENTS + 1), true).statusCode());
            assertEquals(401, post(mp, "?strict=1", null, invalid, true).statusCode());
            assertEquals(List.of(), mp.imported(), "nothing kept");
            assertEquals(3, mp.eventsImported());
        }
    }

    @Test
    void theInProcessFormAnswersAsTheHttpOne() throws Exception {
        ManualClock clock = new ManualClock(Instant.ofEpochSecond(NOW));
        ScheduledMixpanel port = new ScheduledMixpanel(FaultSchedule.healthy(ScheduledMixpanel.Fault.class,
                ScheduledMixpanel.Fault.NONE), 0, clock::advance);
        List<byte[]> events = List.of(event("a", Instant.now().getEpochSecond(), "u1").getBytes(StandardCharsets.UTF_8),
                event(null, Instant.now().getEpochSecond(), "u2").getBytes(StandardCharsets.UTF_8));
        MixpanelImport.Response inProcess = port.send(events, Duration.ofSeconds(5));
        try (MixpanelFake mp = MixpanelFake.start().acceptUsername("tok")) {
            HttpResponse<String> http = post(mp, "?strict=1", TOKEN, "[" + new String(events.get(0), StandardCharsets.UTF_8)
                    + "," + new String(events.get(1), StandardCharsets.UTF_8) + "]", true);
            assertEquals(http.statusCode(), inProcess.status());
            assertEquals(http.body(), inProcess.body());
        }
        assertEquals(1, port.imported().size());
    }
}
