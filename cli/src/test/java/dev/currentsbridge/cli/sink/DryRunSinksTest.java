package dev.currentsbridge.cli.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.BrazeTarget;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dry-run sinks (the Mixpanel and Braze emulators as {@link MixpanelTarget#dryRun} and {@link BrazeTarget#dryRun}
 * start them) answer like Mixpanel and Braze and write exactly what they were sent.
 */
class DryRunSinksTest {

    @TempDir
    Path tmp;
    private final HttpClient http = HttpClient.newHttpClient();
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("local-dry-run:".getBytes(StandardCharsets.UTF_8));

    private HttpResponse<String> post(String url, String auth, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void mixpanelImportsValidEventsReportsFailedRecordsAndWritesNdjson() throws Exception {
        try (MixpanelTarget target = MixpanelTarget.dryRun(tmp.resolve("mp"), 0)) {
            MixpanelFake mp = target.sink();
            String good = "{\"event\":\"Email Open\",\"properties\":{\"time\":1764301918,\"distinct_id\":\"u1\",\"$insert_id\":\"abc-1\"}}";
            String old = "{\"event\":\"Email Open\",\"properties\":{\"time\":5,\"distinct_id\":\"u2\",\"$insert_id\":\"abc-2\"}}";
            String anon = "{\"event\":\"Email Open\",\"properties\":{\"time\":1764301918,\"distinct_id\":\"anonymous\",\"$insert_id\":\"abc-3\"}}";
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
                z.write(("[" + good + "," + old + "," + anon + "]").getBytes(StandardCharsets.UTF_8));
            }
            HttpResponse<String> r = post(mp.baseUrl() + "/import?strict=1", BASIC, gz.toByteArray(), true);
            assertEquals(400, r.statusCode(), r.body());
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertEquals(1, body.path("num_records_imported").asInt());
            assertEquals(2, body.path("failed_records").size());
            assertEquals(1, body.path("failed_records").get(0).path("index").asInt());
            assertEquals("abc-2", body.path("failed_records").get(0).path("insert_id").asText());
            assertEquals(1, mp.eventsImported());

            assertEquals(200, post(mp.baseUrl() + "/import", BASIC, (good + "\n").getBytes(StandardCharsets.UTF_8), false).statusCode());
            assertEquals(401, post(mp.baseUrl() + "/import", null, good.getBytes(StandardCharsets.UTF_8), false).statusCode());
            assertEquals(404, post(mp.baseUrl() + "/track", BASIC, good.getBytes(StandardCharsets.UTF_8), false).statusCode());

            List<String> lines = lines(tmp.resolve("mp"));
            assertEquals(List.of(good, old, anon, good), lines);
        }
    }

    @Test
    void mixpanelRefusesMoreThan2000EventsAndOversizeBodies() throws Exception {
        try (MixpanelTarget target = MixpanelTarget.dryRun(tmp.resolve("mp"), 0)) {
            MixpanelFake mp = target.sink();
            String e = "{\"event\":\"x\",\"properties\":{\"time\":1764301918,\"distinct_id\":\"u\"}}\n";
            assertEquals(400, post(mp.baseUrl() + "/import", BASIC, e.repeat(2001).getBytes(StandardCharsets.UTF_8), false).statusCode());
            byte[] huge = new byte[(int) MixpanelFake.MAX_BODY_BYTES + 10];
            java.util.Arrays.fill(huge, (byte) ' ');
            assertEquals(413, post(mp.baseUrl() + "/import", BASIC, huge, false).statusCode());
            assertEquals(0, mp.eventsImported());
        }
    }

    @Test
    void brazeWritesTheBodyByteForByteAndAnswersLikeUsersTrack() throws Exception {
        try (BrazeTarget target = BrazeTarget.dryRun(tmp.resolve("braze"), 0)) {
            BrazeFake braze = target.sink();
            String body = "{\"attributes\":[{\"external_id\":\"u1\",\"Mixpanel_Cohorts\":{\"add\":[\"Power users\"]},"
                    + "\"_update_existing_only\":true},{\"Mixpanel_Cohorts\":{\"remove\":[\"x\"]}}]}";
            HttpResponse<String> r = post(braze.endpoint() + "/users/track", "Bearer local-dry-run", body.getBytes(StandardCharsets.UTF_8), false);
            assertEquals(201, r.statusCode(), r.body());
            JsonNode reply = Json.MAPPER.readTree(r.body());
            assertEquals("success", reply.path("message").asText());
            assertEquals(1, reply.path("attributes_processed").asInt());
            assertEquals(1, reply.path("errors").get(0).path("index").asInt());
            assertEquals(List.of(body), lines(tmp.resolve("braze")));

            assertEquals(401, post(braze.endpoint() + "/users/track", null, body.getBytes(StandardCharsets.UTF_8), false).statusCode());
            String tooMany = "{\"attributes\":[" + String.join(",", java.util.Collections.nCopies(76, "{\"external_id\":\"u\"}")) + "]}";
            assertEquals(400, post(braze.endpoint() + "/users/track", "Bearer local-dry-run", tooMany.getBytes(StandardCharsets.UTF_8), false).statusCode());
            assertEquals(1, lines(tmp.resolve("braze")).size(), "refused requests are not written");
        }
    }

    private static List<String> lines(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new java.util.ArrayList<>();
            for (Path p : s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                out.addAll(Files.readAllLines(p));
            }
            return out;
        }
    }
}
