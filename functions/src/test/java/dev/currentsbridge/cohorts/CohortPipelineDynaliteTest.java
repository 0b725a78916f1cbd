package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Postback -> DynamoDB (dynalite, real SDK client) -> refresh -> Braze fake, through both handlers. */
class CohortPipelineDynaliteTest {

    @Test
    void fullSyncThenDeltasReachBrazeAsAttributeChanges() {
        try (CohortHarness h = CohortHarness.dynalite()) {
            List<String> page1 = IntStream.range(0, 100).mapToObj(i -> "u" + i).toList();
            List<String> page2 = IntStream.range(100, 160).mapToObj(i -> "u" + i).toList();
            // pages out of order
            var r2 = h.webhook(CohortHarness.membersPage("456", "Power users", "s1", 2, 2, page2));
            assertEquals(200, r2.getStatusCode(), r2.getBody());
            assertEquals("{\"action\":\"members\",\"status\":\"success\"}", r2.getBody());
            assertEquals(200, h.webhook(CohortHarness.membersPage("456", "Power users", "s1", 1, 2, page1)).getStatusCode());

            Map<String, Object> report = h.runRefresh();
            assertEquals(160, h.braze.state(CohortHarness.ATTRIBUTE).size());
            assertEquals(Set.of("Power users"), h.braze.values("external_id:u7", CohortHarness.ATTRIBUTE));
            // ceil(160 / 75) = 3 requests, each within the limit
            assertEquals(3, h.braze.requests().size());
            assertTrue(h.braze.requests().stream().allMatch(r -> r.objects() <= 75));
            assertEquals(160L, ((Number) report.get("dataPoints")).longValue());
            JsonNode first = h.braze.requests().get(0).body().path("attributes").get(0);
            assertTrue(first.path("_update_existing_only").asBoolean());
            assertTrue(first.path(CohortHarness.ATTRIBUTE).path("add").isArray());

            // a delta: u0 leaves, u500 joins; then the status API shows it
            h.webhook(CohortHarness.webhookBody("remove_members", "456", "Power users", null, 1, 1, List.of("u0")));
            h.webhook(CohortHarness.webhookBody("add_members", "456", "Power users", null, 1, 1, List.of("u500")));
            h.runRefresh();
            assertEquals(Set.of(), h.braze.values("external_id:u0", CohortHarness.ATTRIBUTE));
            assertEquals(Set.of("Power users"), h.braze.values("external_id:u500", CohortHarness.ATTRIBUTE));
            assertEquals(4, h.braze.requests().size(), "both changes in one request");

            JsonNode cohorts = CohortHarness.json(h.call("GET", "/cohorts", null, h.bearer(h.key)));
            JsonNode c = cohorts.path("cohorts").get(0);
            assertEquals("456", c.path("cohort_id").asText());
            assertEquals(160, c.path("member_count").asInt());
            assertEquals(0, c.path("pending_changes").asInt());
            assertEquals(162, c.path("data_points").asInt());
            assertEquals("dynamic", c.path("sync_mode").asText());
        }
    }
}
