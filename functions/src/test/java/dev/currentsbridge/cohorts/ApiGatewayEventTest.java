package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API Gateway v2 specifics: named stages, base64 bodies, trailing slashes, lease exclusivity. */
class ApiGatewayEventTest {

    @Test
    void namedStagePrefixAndBase64BodyAreHandled() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            String body = CohortHarness.membersPage("1", "A", "s", 1, 1, List.of("u1"));
            APIGatewayV2HTTPEvent e = CohortHarness.event("POST", "/prod/mixpanel/webhook/",
                    Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)), h.basic(h.key), Map.of());
            e.setIsBase64Encoded(true);
            e.getRequestContext().setStage("prod");
            var r = h.api.handleRequest(e, null);
            assertEquals(200, r.getStatusCode(), r.getBody());
            assertEquals("application/json", r.getHeaders().get("Content-Type"));
            assertEquals(1, h.store.registry().listCohorts().size());
        }
    }

    @Test
    void membersArePagedWithAnOpaqueCursor() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.webhook(CohortHarness.membersPage("1", "A", "s", 1, 1, List.of("u1", "u2", "u3")));
            h.runRefresh();
            var first = CohortHarness.json(h.call("GET", "/cohorts/1/members", null, h.bearer(h.key), Map.of("limit", "2")));
            assertEquals(2, first.path("members").size());
            String cursor = first.path("next_cursor").asText();
            var second = CohortHarness.json(h.call("GET", "/cohorts/1/members", null, h.bearer(h.key),
                    Map.of("limit", "2", "cursor", cursor)));
            assertEquals(1, second.path("members").size());
            assertEquals("u3", second.path("members").get(0).path("id").asText());
            assertEquals("none", second.path("members").get(0).path("pending").asText());
            assertEquals(true, second.path("next_cursor").isNull());
            assertEquals(400, h.call("GET", "/cohorts/1/members", null, h.bearer(h.key), Map.of("limit", "0")).getStatusCode());
            assertEquals(400, h.call("GET", "/cohorts/1/members", null, h.bearer(h.key), Map.of("cursor", "%%%")).getStatusCode());
        }
    }

    @Test
    void pathSegmentsArePercentDecoded() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.webhook(CohortHarness.webhookBody("add_members", "a b+c", "A", null, 1, 1, List.of("u1")));
            var r = h.call("GET", "/cohorts/a%20b+c", null, h.bearer(h.key));
            assertEquals(200, r.getStatusCode(), r.getBody());
            assertEquals("a b+c", CohortHarness.json(r).path("cohort_id").asText());
            assertEquals(400, h.call("GET", "/cohorts/%zz", null, h.bearer(h.key)).getStatusCode());
        }
    }

    @Test
    void aRunningRefreshHoldsTheCohortLease() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.webhook(CohortHarness.membersPage("1", "A", "s", 1, 1, List.of("u1")));
            var now = h.clock.instant();
            assertEquals(true, h.store.membership().acquireLease("1", now, now.plusSeconds(600)));
            Map<String, Object> report = h.runRefresh();
            assertEquals(1, report.get("cohortsSkipped"));
            assertEquals(0, h.braze.requests().size());
            h.store.membership().releaseLease("1");
            h.runRefresh();
            assertEquals(1, h.braze.requests().size());
        }
    }
}
