package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13: a wrong Braze configuration never loses a change. Refreshes against a loopback server answering 404,
 * then 301, then 413, then Braze refusing a placeholder key (401), then a healthy Braze: in between every run stops
 * with every change pending, {@code last_error} set and the alarm's metric at 1; at the end every change is applied
 * and none rejected. On the local runtime's store (in memory) and on DynamoDB (dynalite).
 */
class BrazeConfigurationFaultTest {

    private final List<String> emf = new CopyOnWriteArrayList<>();
    private Consumer<String> previousSink;

    @BeforeEach
    void captureMetrics() {
        previousSink = Metrics.setSink(emf::add);
    }

    @AfterEach
    void restoreSink() {
        Metrics.setSink(previousSink);
    }

    static Stream<Arguments> stores() {
        return Stream.of(Arguments.of("in memory", (Supplier<CohortHarness>) CohortHarness::inMemory),
                Arguments.of("dynalite", (Supplier<CohortHarness>) CohortHarness::dynalite));
    }

    private static List<String> users(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "u" + i).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void wrongEndpointsStatusesAndKeysLoseNothingAndAlarm(String name, Supplier<CohortHarness> make) {
        try (CohortHarness h = make.get(); OddBraze odd = new OddBraze()) {
            assertEquals(200, h.webhook(CohortHarness.membersPage("1", "Power users", "s1", 1, 1, users(0, 30))).getStatusCode());
            assertEquals(200, h.webhook(CohortHarness.webhookBody("add_members", "2", "Churn risk", null, 1, 1,
                    users(20, 40))).getStatusCode());
            CohortRefreshHandler wrongEndpoint = new CohortRefreshHandler(h.store, new BrazeHttpClient(
                    SharedHttpClient.get(), odd.endpoint(), new CachingSecretSource(h.secrets), "braze-secret"),
                    Env.of(Map.of("TABLE_NAME", "unused", "BRAZE_API_KEY_SECRET_ID", "braze-secret",
                            "BRAZE_REST_ENDPOINT", odd.endpoint().toString())), h.clock, d -> h.clock.advance(d));

            record Odd(int status, Map<String, String> headers, String body) {
            }
            List<Odd> answers = List.of(
                    new Odd(404, Map.of("Content-Type", "text/html"), "<html><body>Not Found</body></html>"),
                    new Odd(301, Map.of("Location", "https://rest.iad-01.braze.com/users/track"), ""),
                    new Odd(413, Map.of(), "{\"message\":\"Payload Too Large\"}"));
            int expectedOddRequests = 0;
            for (Odd a : answers) {
                odd.answer(a.status(), a.headers(), a.body());
                h.clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
                Map<String, Object> report = wrongEndpoint.handleRequest(new ScheduledEvent(), null);
                expectedOddRequests++; // the first answer stops the run: one request, whatever is pending
                assertEquals(expectedOddRequests, odd.requests(), "HTTP " + a.status() + " stops the run");
                assertStoppedWithEverythingPending(h, report, "braze HTTP " + a.status());
            }
            // a fresh deploy with the placeholder Braze key: Braze answers 401 (re-read once, still 401)
            h.secrets.put("braze-secret", "PLACEHOLDER");
            Map<String, Object> refused = h.runRefresh();
            assertStoppedWithEverythingPending(h, refused, "braze HTTP 401");
            assertTrue(h.braze.accepted().isEmpty());

            // the operator fixes the key: the next refresh applies every pending change, none rejected
            h.secrets.put("braze-secret", CohortHarness.BRAZE_KEY);
            Map<String, Object> healthy = h.runRefresh();
            assertNull(healthy.get("configurationError"));
            assertEquals(0L, ((Number) healthy.get("rejected")).longValue());
            assertEquals(0L, ((Number) healthy.get("stillPending")).longValue());
            assertEquals(0.0, lastMetric("BrazeConfigurationErrors"));
            for (int i = 0; i < 40; i++) {
                Set<String> want = new java.util.TreeSet<>();
                if (i < 30) {
                    want.add("Power users");
                }
                if (i >= 20) {
                    want.add("Churn risk");
                }
                assertEquals(want, h.braze.values("external_id:u" + i, CohortHarness.ATTRIBUTE), "u" + i);
            }
            for (String id : List.of("1", "2")) {
                JsonNode c = cohort(h, id);
                assertTrue(c.path("last_error").isNull(), c.toString());
                assertEquals(0, c.path("pending_changes").asInt());
                assertEquals(0, c.path("unmatched_members").asInt());
                assertEquals(1.0, c.path("match_rate").asDouble());
                for (JsonNode m : members(h, id)) {
                    assertFalse(m.has("rejected"), m.toString());
                    assertEquals("none", m.path("pending").asText());
                }
            }
        }
    }

    private void assertStoppedWithEverythingPending(CohortHarness h, Map<String, Object> report, String error) {
        String reason = (String) report.get("configurationError");
        assertTrue(reason != null && reason.startsWith(error), String.valueOf(reason));
        assertEquals(0L, ((Number) report.get("rejected")).longValue());
        assertEquals(0L, ((Number) report.get("dataPoints")).longValue());
        assertEquals(50L, ((Number) report.get("stillPending")).longValue());
        assertEquals(1.0, lastMetric("BrazeConfigurationErrors"));
        for (String id : List.of("1", "2")) {
            JsonNode c = cohort(h, id);
            assertTrue(c.path("last_error").asText().startsWith(error), c.toString());
            assertEquals(id.equals("1") ? 30 : 20, c.path("pending_changes").asInt());
            for (JsonNode m : members(h, id)) {
                assertFalse(m.has("rejected"), "a configuration error is never a per-user verdict: " + m);
                assertEquals("add", m.path("pending").asText());
                assertTrue(m.path("in_braze").isNull());
            }
        }
    }

    static JsonNode cohort(CohortHarness h, String id) {
        return CohortHarness.json(h.call("GET", "/cohorts/" + id, null, h.bearer(h.key)));
    }

    static List<JsonNode> members(CohortHarness h, String id) {
        List<JsonNode> out = new ArrayList<>();
        CohortHarness.json(h.call("GET", "/cohorts/" + id + "/members", null, h.bearer(h.key),
                Map.of("limit", "1000"))).path("members").forEach(out::add);
        return out;
    }

    /** The value of {@code metric} in the last EMF line that has it. */
    private double lastMetric(String metric) {
        for (int i = emf.size() - 1; i >= 0; i--) {
            try {
                JsonNode line = Json.MAPPER.readTree(emf.get(i));
                if (line.has(metric)) {
                    return line.path(metric).asDouble();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new AssertionError("no metric " + metric);
    }
}
