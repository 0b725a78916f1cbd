package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input gets a 4xx in the caller's shape, and nothing is stored or sent. */
class CohortApiBadInputTest {

    private CohortHarness h;

    @BeforeEach
    void start() {
        h = CohortHarness.inMemory();
    }

    @AfterEach
    void stop() {
        assertNothingChanged();
        h.close();
    }

    private void assertNothingChanged() {
        assertTrue(h.store.registry().listCohorts().isEmpty(), "no cohort registered");
        h.runRefresh();
        assertTrue(h.braze.requests().isEmpty(), "nothing sent to Braze");
    }

    static List<Object[]> badWebhooks() {
        String valid = CohortHarness.membersPage("456", "Power users", "s1", 1, 1, List.of("u1"));
        return List.of(
                new Object[] {"not json", "{\"action\": \"members\", ", 400, "not valid JSON"},
                new Object[] {"array body", "[1,2]", 400, "JSON object"},
                new Object[] {"missing action", "{\"parameters\":{}}", 400, "action must be a string"},
                new Object[] {"unknown action", valid.replace("\"members\",\"parameters\"", "\"delete_all\",\"parameters\""),
                        400, "unknown action"},
                new Object[] {"action wrong type", "{\"action\":7,\"parameters\":{}}", 400, "action must be a string"},
                new Object[] {"missing parameters", "{\"action\":\"add_members\"}", 400, "parameters must be an object"},
                new Object[] {"missing cohort id", valid.replace("\"mixpanel_cohort_id\":\"456\",", ""), 400,
                        "mixpanel_cohort_id"},
                new Object[] {"cohort id wrong type", valid.replace("\"mixpanel_cohort_id\":\"456\"",
                        "\"mixpanel_cohort_id\":{\"a\":1}"), 400, "mixpanel_cohort_id"},
                new Object[] {"members not array", valid.replace("\"members\":[", "\"members\":{\"x\":[").replace("}]}}", "}]}}}"),
                        400, "members must be an array"},
                new Object[] {"members without session", valid.replace("\"mixpanel_session_id\":\"s1\",", ""), 400,
                        "mixpanel_session_id"},
                new Object[] {"page beyond total", valid.replace("\"page_count\":1", "\"page_count\":3"), 400,
                        "must not exceed total_pages"},
                new Object[] {"page count wrong type", valid.replace("\"page_count\":1", "\"page_count\":\"one\""), 400,
                        "page_count must be a whole number"},
                new Object[] {"negative page count", valid.replace("\"page_count\":1", "\"page_count\":-1"), 400,
                        "page_count must be a whole number"});
        // "member not object" and "more than 1000 ids" were refused here; Mixpanel pauses a sync on a 400, so they
        // are accepted now (members skipped and counted): WebhookNeverPausesTest.
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badWebhooks")
    void webhookRejectsBadInput(String name, String body, int status, String messagePart) {
        APIGatewayV2HTTPResponse r = h.webhook(body);
        assertEquals(status, r.getStatusCode(), r.getBody());
        JsonNode json = CohortHarness.json(r);
        assertEquals("failure", json.path("status").asText());
        assertEquals(status, json.path("error").path("code").asInt());
        assertTrue(json.path("error").path("message").asText().contains(messagePart), r.getBody());
    }

    @Test
    void webhookEchoesTheActionOnFailure() {
        JsonNode json = CohortHarness.json(h.webhook("{\"action\":\"add_members\",\"parameters\":{\"members\":[]}}"));
        assertEquals("add_members", json.path("action").asText());
    }

    @Test
    void webhookWithoutOrWithWrongKeyIs401() {
        String body = CohortHarness.membersPage("456", "P", "s1", 1, 1, List.of("u1"));
        APIGatewayV2HTTPResponse none = h.call("POST", "/mixpanel/webhook", body, Map.of());
        assertEquals(401, none.getStatusCode());
        assertTrue(none.getHeaders().get("WWW-Authenticate").startsWith("Basic"));
        assertEquals("members", CohortHarness.json(none).path("action").asText());
        assertEquals("failure", CohortHarness.json(none).path("status").asText());
        String wrong = h.key.substring(0, h.key.length() - 1) + (h.key.endsWith("A") ? "B" : "A");
        assertEquals(401, h.call("POST", "/mixpanel/webhook", body, h.basic(wrong)).getStatusCode());
        assertEquals(401, h.call("POST", "/mixpanel/webhook", body, h.basic("short")).getStatusCode());
        assertEquals(401, h.call("POST", "/mixpanel/webhook", body,
                Map.of("authorization", "Basic !!notbase64")).getStatusCode());
    }

    @Test
    void oversizeBodyIs413() {
        String big = "{\"action\":\"members\",\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";
        APIGatewayV2HTTPResponse r = h.webhook(big);
        assertEquals(413, r.getStatusCode());
        assertEquals("failure", CohortHarness.json(r).path("status").asText());
        APIGatewayV2HTTPResponse p = h.partner("/partners/mixpanel/cohorts/users", big);
        assertEquals(413, p.getStatusCode());
        assertTrue(CohortHarness.json(p).path("message").asText().contains("larger than"));
    }

    @Test
    void unknownRouteAndMethod() {
        APIGatewayV2HTTPResponse r = h.call("POST", "/nowhere", "{}", h.bearer(h.key));
        assertEquals(404, r.getStatusCode());
        assertTrue(CohortHarness.json(r).path("message").asText().contains("no such route"));
        APIGatewayV2HTTPResponse m = h.call("GET", "/mixpanel/webhook", null, h.basic(h.key));
        assertEquals(405, m.getStatusCode());
        assertEquals("failure", CohortHarness.json(m).path("status").asText());
        assertEquals(405, h.call("PUT", "/partners/mixpanel/cohorts", "{}", Map.of()).getStatusCode());
        assertEquals(405, h.call("DELETE", "/cohorts", null, h.bearer(h.key)).getStatusCode());
    }

    // ---- Braze partner shape -----------------------------------------------------------------------------------

    private String partnerUsers(String cohortChanges) {
        return "{\"partner_api_key\":\"p\",\"client_secret\":\"" + h.key + "\",\"cohort_id\":\"c9\",\"cohort_changes\":"
                + cohortChanges + "}";
    }

    static List<Object[]> badPartnerUsers() {
        String thousand = IntStream.range(0, 600).mapToObj(i -> "\"u" + i + "\"").reduce((a, b) -> a + "," + b).orElseThrow();
        String aliases = IntStream.range(0, 401).mapToObj(i -> "{\"alias_name\":\"a" + i + "\",\"alias_label\":\"l\"}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        return List.of(
                new Object[] {"changes not array", "{\"user_ids\":[\"u1\"]}", BrazePartner.INVALID_CHANGES},
                new Object[] {"entry not object", "[\"u1\"]", BrazePartner.INVALID_CHANGES},
                new Object[] {"no id keys", "[{\"should_remove\":true}]", BrazePartner.INVALID_CHANGES},
                new Object[] {"user ids not strings", "[{\"user_ids\":[1,2]}]", BrazePartner.INVALID_CHANGES},
                new Object[] {"should_remove wrong type", "[{\"user_ids\":[\"u1\"],\"should_remove\":\"yes\"}]",
                        BrazePartner.INVALID_CHANGES},
                new Object[] {"bad alias", "[{\"aliases\":[{\"alias_name\":1}]}]", BrazePartner.INVALID_CHANGES},
                new Object[] {"alias without label", "[{\"aliases\":[{\"alias_name\":\"n\"}]}]", BrazePartner.INVALID_CHANGES},
                new Object[] {"alias with empty name", "[{\"aliases\":[{\"alias_name\":\"\",\"alias_label\":\"l\"}]}]",
                        BrazePartner.INVALID_CHANGES},
                new Object[] {"alias not an object", "[{\"user_ids\":[\"u1\"],\"aliases\":[\"n\"]}]", BrazePartner.INVALID_CHANGES},
                new Object[] {"more than 1000 ids with aliases", "[{\"user_ids\":[" + thousand + "]},{\"aliases\":["
                        + aliases + "]}]", BrazePartner.TOO_MANY_IDS},
                new Object[] {"more than 1000 ids", "[{\"user_ids\":[" + thousand + "]},{\"device_ids\":[" + thousand + "]}]",
                        BrazePartner.TOO_MANY_IDS});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPartnerUsers")
    void partnerUsersRejectsBadInput(String name, String changes, String message) {
        APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts/users", partnerUsers(changes));
        assertEquals(400, r.getStatusCode(), r.getBody());
        assertEquals(message, CohortHarness.json(r).path("message").asText());
    }

    @Test
    void partnerCohortIdAndNameAndTimeAreValidated() {
        String base = "{\"partner_api_key\":\"p\",\"client_secret\":\"" + h.key + "\"";
        assertPartner400(base + ",\"name\":\"n\",\"created_at\":\"2026-01-01T00:00:00Z\"}", BrazePartner.INVALID_COHORT_ID);
        assertPartner400(base + ",\"cohort_id\":5,\"name\":\"n\",\"created_at\":\"2026-01-01T00:00:00Z\"}",
                BrazePartner.INVALID_COHORT_ID);
        assertPartner400(base + ",\"cohort_id\":\"c\",\"name\":\"  \",\"created_at\":\"2026-01-01T00:00:00Z\"}",
                BrazePartner.INVALID_NAME);
        assertPartner400(base + ",\"cohort_id\":\"c\",\"name\":\"n\",\"created_at\":\"yesterday\"}",
                BrazePartner.INVALID_CREATED_AT);
        assertPartner400("not json at all", "request body must be valid JSON");
    }

    private void assertPartner400(String body, String message) {
        APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts", body);
        assertEquals(400, r.getStatusCode(), r.getBody());
        assertEquals(message, CohortHarness.json(r).path("message").asText());
    }

    @Test
    void partnerWithoutValidClientSecretIs401() {
        String body = "{\"partner_api_key\":\"p\",\"client_secret\":\"nope\",\"cohort_id\":\"c\",\"name\":\"n\","
                + "\"created_at\":\"2026-01-01T00:00:00Z\"}";
        APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts", body);
        assertEquals(401, r.getStatusCode());
        assertEquals(BrazePartner.INVALID_CLIENT_SECRET, CohortHarness.json(r).path("message").asText());
        APIGatewayV2HTTPResponse missing = h.partner("/partners/mixpanel/cohorts/users",
                "{\"cohort_id\":\"c\",\"cohort_changes\":[]}");
        assertEquals(401, missing.getStatusCode());
    }

    // ---- operator routes ---------------------------------------------------------------------------------------

    @Test
    void operatorRoutesNeedABearerKeyAndValidParameters() {
        assertEquals(401, h.call("GET", "/cohorts", null, Map.of()).getStatusCode());
        assertEquals(401, h.call("GET", "/cohorts", null, h.basic(h.key)).getStatusCode());
        assertEquals(401, h.call("GET", "/keys", null, h.bearer("cbk_nope")).getStatusCode());
        assertEquals(404, h.call("GET", "/cohorts/unknown/members", null, h.bearer(h.key)).getStatusCode());
        assertEquals(404, h.call("PATCH", "/cohorts/unknown", "{\"sync_mode\":\"one_time\"}", h.bearer(h.key)).getStatusCode());
        APIGatewayV2HTTPResponse badMode = h.call("PATCH", "/cohorts/unknown", "{\"sync_mode\":\"weekly\"}", h.bearer(h.key));
        assertEquals(400, badMode.getStatusCode());
        assertEquals(400, h.call("POST", "/keys", "{\"label\":5}", h.bearer(h.key)).getStatusCode());
        assertEquals(400, h.call("POST", "/keys", "{oops", h.bearer(h.key)).getStatusCode());
        assertEquals(404, h.call("DELETE", "/keys/doesnotexist", null, h.bearer(h.key)).getStatusCode());
    }
}
