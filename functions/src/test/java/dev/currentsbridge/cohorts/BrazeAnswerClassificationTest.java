package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers.AttributeUpdate;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.local.MapSecretSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real {@link BrazeHttpClient} against a loopback server: each kind of answer and what it means. */
class BrazeAnswerClassificationTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static final List<AttributeUpdate> ONE = List.of(
            new AttributeUpdate(MemberRef.externalId("u1"), "Mixpanel_Cohorts", List.of("A"), List.of()));

    private static TrackResult answer(int status, Map<String, String> headers, String body) {
        try (OddBraze braze = new OddBraze().answer(status, headers, body)) {
            BrazeHttpClient client = new BrazeHttpClient(SharedHttpClient.get(), braze.endpoint(),
                    new CachingSecretSource(new MapSecretSource(Map.of("k", "key"))), "k", NOW);
            return client.track(ONE);
        }
    }

    @Test
    void brazeSuccessWithPerObjectErrorsNamesTheRejectedObjects() {
        TrackResult r = answer(201, Map.of(), "{\"message\":\"success\",\"errors\":[{\"type\":\"Invalid user\",\"input_array\":\"attributes\",\"index\":0}]}");
        assertEquals(new TrackResult.Ok(Map.of(0, "Invalid user")), r);
        assertEquals(new TrackResult.Ok(Map.of()), answer(202, Map.of(), "{\"message\":\"queued\"}"));
    }

    @Test
    void aSuccessStatusWithoutBrazesJsonIsAConfigurationError() {
        assertInstanceOf(TrackResult.Misconfigured.class, answer(200, Map.of(), "<html>login</html>"));
        assertInstanceOf(TrackResult.Misconfigured.class, answer(200, Map.of(), ""));
        assertInstanceOf(TrackResult.Misconfigured.class, answer(204, Map.of(), ""));
    }

    @Test
    void aBadRequestAboutThePayloadIsARefusalWithBrazesReason() {
        assertEquals(new TrackResult.PayloadRefused("Invalid attribute value"),
                answer(400, Map.of(), "{\"message\":\"Invalid attribute value\"}"));
    }

    @Test
    void everythingSayingTheConfigurationIsWrongStopsTheRun() {
        int[] statuses = {301, 302, 307, 308, 401, 403, 404, 405, 408, 409, 413, 418, 422};
        for (int s : statuses) {
            TrackResult r = answer(s, s / 100 == 3 ? Map.of("Location", "https://elsewhere.example") : Map.of(),
                    s == 404 ? "<html>Not Found</html>" : "{\"message\":\"nope\"}");
            TrackResult.Misconfigured m = assertInstanceOf(TrackResult.Misconfigured.class, r, "HTTP " + s);
            assertEquals(s, m.status());
            assertTrue(m.reason().startsWith("braze HTTP " + s), m.reason());
        }
        // too many objects for the workspace, an unreadable 400
        assertInstanceOf(TrackResult.Misconfigured.class, answer(400, Map.of(),
                "{\"message\":\"Too many attributes objects: at most 50 per request\"}"));
        assertInstanceOf(TrackResult.Misconfigured.class, answer(400, Map.of(), "Bad Request"));
    }

    @Test
    void throttlingWaitsUntilBrazesDocumentedRateLimitReset() {
        long reset = NOW.instant().getEpochSecond() + 7;
        assertEquals(new TrackResult.Throttled(Duration.ofSeconds(7)), answer(429,
                Map.of("X-RateLimit-Reset", String.valueOf(reset), "X-RateLimit-Limit", "3000",
                        "X-RateLimit-Remaining", "0", "Retry-After", "60"), "{\"message\":\"Too Many Requests\"}"));
        // Retry-After is not documented for /users/track; it is only a fallback
        assertEquals(new TrackResult.Throttled(Duration.ofSeconds(2)), answer(429, Map.of("Retry-After", "2"), ""));
        assertEquals(new TrackResult.Throttled(null), answer(429, Map.of(), ""));
    }

    @Test
    void serverErrorsAreUnavailable() {
        for (int s : new int[] {500, 502, 503, 504}) {
            assertInstanceOf(TrackResult.Unavailable.class, answer(s, Map.of(), "oops"), "HTTP " + s);
        }
    }
}
