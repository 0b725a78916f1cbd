package dev.currentsbridge.standins.braze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.time.ManualClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Braze emulator enforces the documented {@code /users/track} contract, its limit and its rate-limit headers. */
class BrazeEmulatorTest {

    @TempDir
    Path tmp;

    private static HttpResponse<String> post(BrazeFake braze, String key, String body) throws Exception {
        return SharedHttpClient.get().send(HttpRequest.newBuilder(braze.endpoint().resolve("/users/track"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String objects(String array, int n) {
        return "\"" + array + "\":[" + String.join(",", Collections.nCopies(n, "{\"external_id\":\"u\"}")) + "]";
    }

    @Test
    void objectsAreCountedAcrossArraysUpToTheProductionLimit() throws Exception {
        try (BrazeFake braze = BrazeFake.start("k")) {
            int half = BrazeUsers.MAX_OBJECTS / 2;
            String atLimit = "{" + objects("attributes", half) + "," + objects("events", BrazeUsers.MAX_OBJECTS - half) + "}";
            assertEquals(201, post(braze, "k", atLimit).statusCode());
            String over = "{" + objects("attributes", half) + "," + objects("events", BrazeUsers.MAX_OBJECTS - half + 1) + "}";
            HttpResponse<String> r = post(braze, "k", over);
            assertEquals(400, r.statusCode());
            assertTrue(Json.MAPPER.readTree(r.body()).path("message").asText().contains("at most " + BrazeUsers.MAX_OBJECTS));
            assertEquals(400, post(braze, "k", "{\"attributes\":[]}").statusCode(), "no object at all");
        }
    }

    @Test
    void anObjectNamingTwoUsersIsRefusedPerObject() throws Exception {
        try (BrazeFake braze = BrazeFake.start("k")) {
            JsonNode answer = Json.MAPPER.readTree(post(braze, "k",
                    "{\"attributes\":[{\"external_id\":\"u1\",\"email\":\"a@b\",\"C\":{\"add\":[\"x\"]}},"
                            + "{\"external_id\":\"u2\",\"C\":{\"add\":[\"x\"]}}]}").body());
            assertEquals(1, answer.path("attributes_processed").asInt());
            assertEquals(TrackRules.MORE_THAN_ONE_IDENTIFIER, answer.path("errors").get(0).path("type").asText());
            assertEquals(Map.of("external_id:u2", Set.of("x")), braze.state("C"));
        }
    }

    @Test
    void keysPermissionsRoutesAndTheRateLimitGetTheDocumentedAnswers() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (BrazeFake braze = BrazeFake.start("k").acceptKeyWithoutPermission("ro").rateLimit(2).clock(clock::instant)) {
            String body = "{\"attributes\":[{\"external_id\":\"u1\"}]}";
            assertEquals("{\"message\":\"Invalid API key\"}", post(braze, "nope", body).body());
            assertEquals(403, post(braze, "ro", body).statusCode());
            HttpResponse<String> first = post(braze, "k", body);
            assertEquals("2", first.headers().firstValue("X-RateLimit-Limit").orElseThrow());
            assertEquals("1", first.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            assertEquals(String.valueOf(clock.instant().plusSeconds(3).getEpochSecond()),
                    first.headers().firstValue("X-RateLimit-Reset").orElseThrow());
            assertEquals(201, post(braze, "k", body).statusCode());
            HttpResponse<String> limited = post(braze, "k", body);
            assertEquals(429, limited.statusCode());
            assertEquals("0", limited.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            clock.advance(Duration.ofSeconds(3));
            assertEquals(201, post(braze, "k", body).statusCode(), "a new window");

            HttpResponse<String> get = SharedHttpClient.get().send(HttpRequest.newBuilder(braze.endpoint()
                    .resolve("/users/track")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
            assertEquals(404, SharedHttpClient.get().send(HttpRequest.newBuilder(braze.endpoint().resolve("/users/delete"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
        }
    }

    @Test
    void theRecorderWritesAcceptedBodiesByteForByte() throws Exception {
        try (BrazeFake braze = BrazeFake.start("k").recordTo(tmp).keepNoHistory()) {
            String body = "{ \"attributes\" : [ {\"external_id\":\"u1\"} ] }";
            assertEquals(201, post(braze, "k", body).statusCode());
            assertEquals(401, post(braze, "x", body).statusCode());
            assertEquals(1, braze.acceptedRequests());
            assertEquals(List.of(), braze.requests(), "no history kept");
            try (var files = Files.list(tmp)) {
                List<Path> written = files.toList();
                assertEquals(1, written.size());
                assertTrue(written.get(0).getFileName().toString().matches("users-track-\\d{8}-\\d{6}-\\d{4}\\.json"));
                assertEquals(body, Files.readString(written.get(0)));
            }
        }
    }

    @Test
    void theScheduledFormsShareTheEmulatorsRules() {
        ScheduledBraze braze = new ScheduledBraze(FaultSchedule.healthy(ScheduledBraze.Fault.class,
                ScheduledBraze.Fault.NONE), "C", Set.of("external_id:bad"), "k", d -> { });
        BrazeUsers port = braze.port();
        var result = port.track(List.of(
                new BrazeUsers.AttributeUpdate(MemberRef.externalId("u1"), "C", List.of("x"), List.of()),
                new BrazeUsers.AttributeUpdate(MemberRef.externalId("bad"), "C", List.of("x"), List.of())));
        BrazeUsers.TrackResult.Ok ok = assertInstanceOf(BrazeUsers.TrackResult.Ok.class, result);
        assertEquals(Map.of(1, "Invalid user"), ok.rejected());
        assertEquals(Map.of("external_id:u1", Set.of("x")), braze.state());
        assertEquals(1, braze.applied().size());
    }
}
