package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The refresh handler's behaviour towards Braze and cohort state (in-memory store, loopback Braze fake). */
class CohortRefreshTest {

    private static List<String> users(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "u" + i).toList();
    }

    private static void fullSync(CohortHarness h, String cohortId, String name, String session, List<String> ids) {
        int pages = Math.max(1, (ids.size() + 999) / 1000);
        for (int p = 0; p < pages; p++) {
            var r = h.webhook(CohortHarness.membersPage(cohortId, name, session, p + 1, pages,
                    ids.subList(p * 1000, Math.min(ids.size(), (p + 1) * 1000))));
            assertEquals(200, r.getStatusCode(), r.getBody());
        }
    }

    private static JsonNode cohort(CohortHarness h, String id) {
        return CohortHarness.json(h.call("GET", "/cohorts/" + id, null, h.bearer(h.key)));
    }

    @Test
    void throttlingWaitsForRetryAfterThenApplies() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 150));
            h.braze.throttleNext(2, "3");
            Map<String, Object> report = h.runRefresh(Duration.ofMinutes(5));
            assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3)), h.sleeps);
            assertEquals(2 + 2, h.braze.requests().size()); // 2 throttled, then ceil(150/75) accepted
            assertEquals(2, h.braze.accepted().size());
            assertEquals(150, h.braze.state(CohortHarness.ATTRIBUTE).size());
            assertEquals(false, report.get("stoppedEarly"));
        }
    }

    @Test
    void throttlingWithoutRetryAfterBacksOffExponentially() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 10));
            h.braze.throttleNext(3, null);
            h.runRefresh(Duration.ofMinutes(5));
            assertEquals(3, h.sleeps.size());
            assertTrue(h.sleeps.get(0).compareTo(h.sleeps.get(1)) < 0 && h.sleeps.get(1).compareTo(h.sleeps.get(2)) < 0,
                    "growing backoff: " + h.sleeps);
            assertEquals(10, h.braze.state(CohortHarness.ATTRIBUTE).size());
        }
    }

    @Test
    void neverWaitsPastTheDeadlineAndKeepsChangesPending() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 100));
            h.braze.throttleNext(1, "600"); // ten minutes, with one minute left
            Map<String, Object> report = h.runRefresh(Duration.ofMinutes(1));
            assertTrue(h.sleeps.isEmpty(), "did not sleep past the deadline");
            assertEquals(true, report.get("stoppedEarly"));
            assertEquals(100L, ((Number) report.get("stillPending")).longValue());
            assertTrue(h.braze.state(CohortHarness.ATTRIBUTE).isEmpty());
            JsonNode c = cohort(h, "1");
            assertEquals(100, c.path("pending_changes").asInt());
            assertEquals(100, c.path("member_count").asInt());

            h.runRefresh(Duration.ofMinutes(5)); // next schedule: everything goes out
            assertEquals(100, h.braze.state(CohortHarness.ATTRIBUTE).size());
            assertEquals(0, cohort(h, "1").path("pending_changes").asInt());
        }
    }

    @Test
    void serverErrorsAreRetriedThenLeftPending() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 5));
            h.braze.failNext(10, 503);
            h.runRefresh(Duration.ofMinutes(5));
            assertEquals(3, h.braze.requests().size());
            JsonNode c = cohort(h, "1");
            assertEquals(5, c.path("pending_changes").asInt());
            assertTrue(c.path("last_error").asText().startsWith("braze unavailable"));
            h.braze.failNext(0, 503);
            h.runRefresh(Duration.ofMinutes(5));
            assertEquals(5, h.braze.state(CohortHarness.ATTRIBUTE).size());
            assertTrue(cohort(h, "1").path("last_error").isNull());
        }
    }

    @Test
    void perObjectRejectionsAreRecordedWithReasonAndNotRetried() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.braze.rejectUser("external_id:u3");
            fullSync(h, "1", "A", "s", users(0, 5));
            Map<String, Object> report = h.runRefresh();
            assertEquals(1L, ((Number) report.get("rejected")).longValue());
            assertEquals(4, h.braze.state(CohortHarness.ATTRIBUTE).size());
            JsonNode members = CohortHarness.json(h.call("GET", "/cohorts/1/members", null, h.bearer(h.key)));
            JsonNode u3 = null;
            for (JsonNode m : members.path("members")) {
                if (m.path("id").asText().equals("u3")) {
                    u3 = m;
                }
            }
            assertEquals("Invalid user", u3.path("rejected").asText());
            assertTrue(u3.path("in_braze").isNull());
            int before = h.braze.requests().size();
            h.runRefresh();
            assertEquals(before, h.braze.requests().size(), "a rejected change is not resent every run");
            assertEquals(0, cohort(h, "1").path("pending_changes").asInt());
        }
    }

    @Test
    void renameMovesMembersFromOldValueToNewInOneObjectEach() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "Old name", "s", users(0, 3));
            h.runRefresh();
            h.braze.requests(); // applied under "Old name"
            var r = h.partner("/partners/mixpanel/cohorts", "{\"partner_api_key\":\"p\",\"client_secret\":\"" + h.key
                    + "\",\"cohort_id\":\"1\",\"name\":\"New name\",\"created_at\":\"2026-11-01T00:00:00Z\"}");
            assertEquals(200, r.getStatusCode(), r.getBody());
            int before = h.braze.requests().size();
            h.runRefresh();
            assertEquals(before + 1, h.braze.requests().size());
            JsonNode obj = h.braze.requests().get(before).body().path("attributes").get(0).path(CohortHarness.ATTRIBUTE);
            assertEquals("[\"New name\"]", obj.path("add").toString());
            assertEquals("[\"Old name\"]", obj.path("remove").toString());
            for (String u : users(0, 3)) {
                assertEquals(Set.of("New name"), h.braze.values("external_id:" + u, CohortHarness.ATTRIBUTE));
            }
        }
    }

    @Test
    void oneTimeCohortStopsRefreshingOnceAppliedAndRestartsOnAPostback() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("DEFAULT_SYNC_MODE", "one_time"))) {
            fullSync(h, "1", "A", "s", users(0, 3));
            h.runRefresh();
            assertEquals("applied", cohort(h, "1").path("status").asText());
            assertEquals("one_time", cohort(h, "1").path("sync_mode").asText());
            Map<String, Object> second = h.runRefresh();
            assertEquals(1, second.get("cohortsSkipped"));
            assertEquals(0, second.get("cohortsRefreshed"));
            h.webhook(CohortHarness.webhookBody("add_members", "1", "A", null, 1, 1, List.of("u9")));
            assertEquals("active", cohort(h, "1").path("status").asText());
            h.runRefresh();
            assertEquals(Set.of("A"), h.braze.values("external_id:u9", CohortHarness.ATTRIBUTE));
            assertEquals("applied", cohort(h, "1").path("status").asText());
        }
    }

    @Test
    void syncModeCanBeSetPerCohort() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 2));
            var r = h.call("PATCH", "/cohorts/1", "{\"sync_mode\":\"one_time\"}", h.bearer(h.key));
            assertEquals(200, r.getStatusCode(), r.getBody());
            assertEquals("one_time", CohortHarness.json(r).path("sync_mode").asText());
            h.runRefresh();
            assertEquals("applied", cohort(h, "1").path("status").asText());
        }
    }

    @Test
    void dynamicCohortWithoutPostbacksBecomesStale() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("STALE_AFTER_INTERVALS", "2", "REFRESH_INTERVAL_MINUTES", "15"))) {
            fullSync(h, "1", "A", "s", users(0, 2));
            h.runRefresh();
            assertEquals("active", cohort(h, "1").path("status").asText());
            h.clock.advance(Duration.ofMinutes(31));
            h.runRefresh();
            assertEquals("stale", cohort(h, "1").path("status").asText());
            h.webhook(CohortHarness.webhookBody("add_members", "1", "A", null, 1, 1, List.of("u5")));
            assertEquals("active", cohort(h, "1").path("status").asText());
        }
    }

    @Test
    void incompleteSessionChangesNothingAndExpires() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s1", users(0, 3));
            h.runRefresh();
            // a resync that never completes: page 1 of 2 without u0
            h.webhook(CohortHarness.membersPage("1", "A", "s2", 1, 2, List.of("u1", "u2")));
            h.runRefresh();
            assertEquals(Set.of("A"), h.braze.values("external_id:u0", CohortHarness.ATTRIBUTE), "no removal yet");
            assertEquals(1, cohort(h, "1").path("open_sessions").asInt());
            h.clock.advance(Duration.ofHours(7));
            Map<String, Object> report = h.runRefresh();
            assertEquals(0, cohort(h, "1").path("open_sessions").asInt());
            assertEquals(Set.of("A"), h.braze.values("external_id:u0", CohortHarness.ATTRIBUTE));
            assertEquals(0L, ((Number) report.get("dataPoints")).longValue());
        }
    }

    @Test
    void fullSyncReplacesMembershipWithRemovals() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s1", users(0, 5));
            h.runRefresh();
            fullSync(h, "1", "A", "s2", users(3, 8));
            Map<String, Object> report = h.runRefresh();
            assertEquals(6L, ((Number) report.get("dataPoints")).longValue()); // 3 removed, 3 added
            assertEquals(Set.of("external_id:u3", "external_id:u4", "external_id:u5", "external_id:u6", "external_id:u7"),
                    h.braze.state(CohortHarness.ATTRIBUTE).keySet());
            assertEquals(5, cohort(h, "1").path("member_count").asInt());
        }
    }

    @Test
    void braze401ReReadsTheSecretOnce() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 2));
            h.runRefresh(); // caches the current key
            h.braze.acceptKey("rotated-key").revokeKey(CohortHarness.BRAZE_KEY);
            h.secrets.put("braze-secret", "rotated-key");
            h.webhook(CohortHarness.webhookBody("add_members", "1", "A", null, 1, 1, List.of("u7")));
            h.runRefresh();
            assertEquals(Set.of("A"), h.braze.values("external_id:u7", CohortHarness.ATTRIBUTE));
            assertEquals("Bearer rotated-key", h.braze.requests().get(h.braze.requests().size() - 1).authorization());

            h.braze.revokeKey("rotated-key"); // now truly invalid: one re-read, then give up and keep pending
            h.webhook(CohortHarness.webhookBody("add_members", "1", "A", null, 1, 1, List.of("u8")));
            h.runRefresh();
            JsonNode c = cohort(h, "1");
            assertEquals(1, c.path("pending_changes").asInt());
            assertTrue(c.path("last_error").asText().contains("401"));
        }
    }

    @Test
    void emailMemberKeyWritesEmailIdentifiedObjects() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("MEMBER_ID_FIELD", "email", "COHORT_VALUE", "id"))) {
            fullSync(h, "77", "Named", "s", users(0, 2));
            h.runRefresh();
            JsonNode obj = h.braze.requests().get(0).body().path("attributes").get(0);
            assertTrue(obj.path("email").asText().endsWith("@example.com"));
            assertFalse(obj.has("external_id"));
            assertEquals(Set.of("77"), h.braze.values("email:u0@example.com", CohortHarness.ATTRIBUTE));
        }
    }

    @Test
    void configuredPropertyIsTheMemberKeyAndMembersWithoutItAreSkipped() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("MEMBER_ID_FIELD", "braze_id_prop"))) {
            String body = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"5\",\"mixpanel_cohort_name\":\"P\","
                    + "\"members\":[{\"mixpanel_distinct_id\":\"d1\",\"braze_id_prop\":\"ext-1\"},{\"mixpanel_distinct_id\":\"d2\"}]}}";
            assertEquals(200, h.webhook(body).getStatusCode());
            h.runRefresh();
            assertEquals(Map.of("external_id:ext-1", Set.of("P")), h.braze.state(CohortHarness.ATTRIBUTE));
        }
    }

    @Test
    void usersInSeveralCohortsGetOneObjectPerCohort() {
        // Cohorts are refreshed one at a time (memory bounded by the largest cohort, docs/PERFORMANCE.md section 6):
        // a user in two cohorts gets one object per cohort. Cohorts sharing a value still share objects (below).
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "1", "A", "s", users(0, 2));
            fullSync(h, "2", "B", "t", users(0, 2));
            h.runRefresh();
            assertEquals(2, h.braze.requests().size());
            assertEquals(2, h.braze.requests().get(0).objects());
            assertEquals(2, h.braze.requests().get(1).objects());
            assertEquals(Set.of("A", "B"), h.braze.values("external_id:u1", CohortHarness.ATTRIBUTE));
            JsonNode c = cohort(h, "1");
            assertEquals(2, c.path("data_points").asInt());
        }
    }

    @Test
    void partnerShapeAddsAndRemoves() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            String body = "{\"partner_api_key\":\"p\",\"client_secret\":\"" + h.key + "\",\"cohort_id\":\"c\",\"cohort_changes\":"
                    + "[{\"user_ids\":[\"a\",\"b\"]},{\"device_ids\":[\"d\"]},{\"user_ids\":[\"b\"],\"should_remove\":true}]}";
            assertEquals(200, h.partner("/partners/mixpanel/cohorts/users", body).getStatusCode());
            assertEquals(200, h.partner("/partners/mixpanel/cohorts", "{\"client_secret\":\"" + h.key
                    + "\",\"cohort_id\":\"c\",\"name\":\"Churn risk\",\"created_at\":\"2026-11-01T00:00:00.000+01:00\"}")
                    .getStatusCode());
            h.runRefresh();
            assertEquals(Map.of("external_id:a", Set.of("Churn risk")), h.braze.state(CohortHarness.ATTRIBUTE));
        }
    }
}
