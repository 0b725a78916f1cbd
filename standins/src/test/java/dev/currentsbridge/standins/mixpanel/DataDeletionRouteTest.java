package dev.currentsbridge.standins.mixpanel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulated GDPR API enforces the documented request shape, the 2000-id limit, the Bearer token and 429s. */
class DataDeletionRouteTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final MixpanelFake mp = MixpanelFake.start();

    @AfterEach
    void close() {
        mp.close();
    }

    private HttpResponse<String> post(String token, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mp.baseUrl() + "/api/app/data-deletions/v3.0"
                + (token == null ? "" : "?token=" + token))).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token, String bearer) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(mp.baseUrl() + path + "?token=" + token))
                .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"u" + i + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void aValidRequestCreatesATaskWhoseStatusCanBeAsked() throws Exception {
        HttpResponse<String> r = post("project-token", "gdpr-oauth-token",
                "{\"distinct_ids\":[\"a\",\"b\"],\"compliance_type\":\"CCPA\"}");
        assertEquals(201, r.statusCode());
        String task = Json.MAPPER.readTree(r.body()).path("results").path("task_id").asText();
        assertEquals(List.of("a", "b"), mp.deletions().tasks().get(0).distinctIds());
        assertEquals("CCPA", mp.deletions().tasks().get(0).complianceType());

        HttpResponse<String> s = get("/api/app/data-deletions/v3.0/" + task, "project-token", "gdpr-oauth-token");
        assertEquals(200, s.statusCode());
        assertEquals("PENDING", Json.MAPPER.readTree(s.body()).path("results").path("status").asText());
        mp.deletions().finishAll();
        s = get("/api/app/data-deletions/v3.0/" + task, "project-token", "gdpr-oauth-token");
        assertEquals("SUCCESS", Json.MAPPER.readTree(s.body()).path("results").path("status").asText());
        assertEquals(404, get("/api/app/data-deletions/v3.0/task-404", "project-token", "gdpr-oauth-token")
                .statusCode());
    }

    @Test
    void upTo2000IdsAreTakenAndMoreAreRefused() throws Exception {
        assertEquals(201, post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":" + ids(2000) + "}")
                .statusCode());
        assertEquals(400, post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":" + ids(2001) + "}")
                .statusCode());
        assertEquals(400, post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":[]}").statusCode());
        assertEquals(1, mp.deletions().tasks().size());
    }

    @Test
    void theDocumentedShapeIsEnforced() throws Exception {
        assertEquals(400, post("project-token", "gdpr-oauth-token", "not json").statusCode());
        assertEquals(400, post("project-token", "gdpr-oauth-token", "{\"ids\":[\"a\"]}").statusCode());
        assertEquals(400, post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":[1]}").statusCode());
        assertEquals(400, post("project-token", "gdpr-oauth-token",
                "{\"distinct_ids\":[\"a\"],\"compliance_type\":\"HIPAA\"}").statusCode());
        assertTrue(mp.deletions().tasks().isEmpty());
    }

    @Test
    void aMissingOrWrongBearerTokenOrProjectTokenIs401() throws Exception {
        String body = "{\"distinct_ids\":[\"a\"]}";
        assertEquals(401, post("project-token", null, body).statusCode());
        assertEquals(401, post("project-token", "other", body).statusCode());
        assertEquals(401, post(null, "gdpr-oauth-token", body).statusCode());
        assertEquals(401, post("other", "gdpr-oauth-token", body).statusCode());
        mp.deletions().accept("rotated", "project-2");
        assertEquals(201, post("project-2", "rotated", body).statusCode());
    }

    @Test
    void a429CarriesRetryAfterAndCreatesNothing() throws Exception {
        mp.deletions().rateLimitNext(1, Duration.ofSeconds(30));
        HttpResponse<String> r = post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":[\"a\"]}");
        assertEquals(429, r.statusCode());
        assertEquals("30", r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(mp.deletions().tasks().isEmpty());
        assertEquals(201, post("project-token", "gdpr-oauth-token", "{\"distinct_ids\":[\"a\"]}").statusCode());
    }

    @Test
    void otherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> del = HTTP.send(HttpRequest.newBuilder(URI.create(mp.baseUrl()
                + "/api/app/data-deletions/v3.0?token=project-token")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, del.statusCode());
        JsonNode notFound = Json.MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(mp.baseUrl()
                + "/api/app/other/v3.0/x")).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(notFound.isObject());
    }
}
