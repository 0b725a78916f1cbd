package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13: the mass-removal safeguard, Braze's array cap and objects-per-request limit, end to end through the
 * handlers, the real Braze client and the Braze emulator, in memory and on dynalite.
 */
class CohortSafeguardsTest {

    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of("in memory", (Function<Map<String, String>, CohortHarness>) CohortHarness::inMemory),
                Arguments.of("dynalite", (Function<Map<String, String>, CohortHarness>) CohortHarness::dynalite));
    }

    private static List<String> users(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "u" + i).toList();
    }

    private static void fullSync(CohortHarness h, String id, String name, String session, List<String> ids) {
        assertEquals(200, h.webhook(CohortHarness.membersPage(id, name, session, 1, 1, ids)).getStatusCode());
    }

    private static JsonNode patch(CohortHarness h, String id, String body, int status) {
        var r = h.call("PATCH", "/cohorts/" + id, body, h.bearer(h.key));
        assertEquals(status, r.getStatusCode(), r.getBody());
        return CohortHarness.json(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aFullSyncEmptyingACohortIsHeldUntilConfirmed(String name, Function<Map<String, String>, CohortHarness> make) {
        try (CohortHarness h = make.apply(Map.of())) {
            fullSync(h, "9", "Buyers", "s1", users(0, 200));
            h.runRefresh();
            assertEquals(200, h.braze.state(CohortHarness.ATTRIBUTE).size());
            int requests = h.braze.requests().size();
            patch(h, "9", "{\"confirm_removals\": true}", 409); // nothing held yet

            fullSync(h, "9", "Buyers", "s2", List.of());
            for (int run = 0; run < 2; run++) {
                Map<String, Object> report = h.runRefresh();
                assertEquals(1, ((Number) report.get("cohortsHeld")).intValue());
                assertEquals(requests, h.braze.requests().size(), "nothing sent while held");
                JsonNode c = BrazeConfigurationFaultTest.cohort(h, "9");
                assertEquals("held", c.path("status").asText());
                assertEquals(200, c.path("held_removals").asInt());
                assertEquals(200, c.path("member_count").asInt(), "membership unchanged while held");
                assertEquals(200, h.braze.state(CohortHarness.ATTRIBUTE).size());
            }

            JsonNode confirmed = patch(h, "9", "{\"confirm_removals\": true}", 200);
            assertTrue(confirmed.path("removals_confirmed").asBoolean());
            Map<String, Object> report = h.runRefresh();
            assertEquals(0, ((Number) report.get("cohortsHeld")).intValue());
            assertEquals(Map.of(), h.braze.state(CohortHarness.ATTRIBUTE), "confirmed: every removal applied");
            JsonNode c = BrazeConfigurationFaultTest.cohort(h, "9");
            assertEquals("active", c.path("status").asText());
            assertEquals(0, c.path("member_count").asInt());
            assertEquals(0, c.path("held_removals").asInt());
            assertEquals(false, c.path("removals_confirmed").asBoolean(), "a confirmation is used once");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aLaterSyncThatNoLongerNeedsItLiftsTheHold(String name, Function<Map<String, String>, CohortHarness> make) {
        try (CohortHarness h = make.apply(Map.of())) {
            fullSync(h, "9", "Buyers", "s1", users(0, 200));
            h.runRefresh();
            fullSync(h, "9", "Buyers", "s2", users(0, 50)); // 75 % removed: held
            h.runRefresh();
            assertEquals("held", BrazeConfigurationFaultTest.cohort(h, "9").path("status").asText());
            fullSync(h, "9", "Buyers", "s3", users(0, 190)); // 5 % removed: applied, with the session before it
            h.runRefresh();
            JsonNode c = BrazeConfigurationFaultTest.cohort(h, "9");
            assertEquals("active", c.path("status").asText());
            assertEquals(190, c.path("member_count").asInt());
            assertEquals(190, h.braze.state(CohortHarness.ATTRIBUTE).size());
        }
    }

    @Test
    void theSafeguardIsConfigurableAndSmallCohortsAreNotHeld() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("MASS_REMOVAL_MAX_PERCENT", "off"))) {
            fullSync(h, "9", "Buyers", "s1", users(0, 200));
            h.runRefresh();
            fullSync(h, "9", "Buyers", "s2", List.of());
            h.runRefresh();
            assertEquals(Map.of(), h.braze.state(CohortHarness.ATTRIBUTE), "off: applied at once");
        }
        try (CohortHarness h = CohortHarness.inMemory()) {
            fullSync(h, "9", "Buyers", "s1", users(0, 99)); // below MASS_REMOVAL_MIN_MEMBERS (100)
            h.runRefresh();
            fullSync(h, "9", "Buyers", "s2", List.of());
            h.runRefresh();
            assertEquals(Map.of(), h.braze.state(CohortHarness.ATTRIBUTE));
        }
        try (CohortHarness h = CohortHarness.inMemory(Map.of("MASS_REMOVAL_MAX_PERCENT", "10",
                "MASS_REMOVAL_MIN_MEMBERS", "20"))) {
            fullSync(h, "9", "Buyers", "s1", users(0, 20));
            h.runRefresh();
            fullSync(h, "9", "Buyers", "s2", users(0, 17)); // 15 % > 10 %
            h.runRefresh();
            assertEquals("held", BrazeConfigurationFaultTest.cohort(h, "9").path("status").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aUserIsNeverGivenMoreValuesThanBrazesArrayCap(String name, Function<Map<String, String>, CohortHarness> make) {
        try (CohortHarness h = make.apply(Map.of("COHORT_ARRAY_MAX", "2"))) {
            fullSync(h, "1", "A", "s1", List.of("u0", "u1"));
            fullSync(h, "2", "B", "s2", List.of("u0"));
            fullSync(h, "3", "C", "s3", List.of("u0", "u2"));
            Map<String, Object> report = h.runRefresh();
            assertEquals(1L, ((Number) report.get("overArrayCap")).longValue());
            assertEquals(Set.of("A", "B"), h.braze.values("external_id:u0", CohortHarness.ATTRIBUTE));
            assertEquals(Set.of("C"), h.braze.values("external_id:u2", CohortHarness.ATTRIBUTE));
            JsonNode c = BrazeConfigurationFaultTest.cohort(h, "3");
            assertEquals(1, c.path("over_array_cap").asInt());
            assertEquals(1, c.path("pending_changes").asInt(), "waits, not dropped, not rejected");

            // u0 leaves A: the room it makes lets C in
            assertEquals(200, h.webhook(CohortHarness.webhookBody("remove_members", "1", "A", null, 1, 1,
                    List.of("u0"))).getStatusCode());
            h.runRefresh();
            assertEquals(Set.of("B", "C"), h.braze.values("external_id:u0", CohortHarness.ATTRIBUTE));
            c = BrazeConfigurationFaultTest.cohort(h, "3");
            assertEquals(0, c.path("over_array_cap").asInt());
            assertEquals(0, c.path("pending_changes").asInt());
        }
    }

    @Test
    void objectsPerRequestFollowTheContract() {
        try (CohortHarness h = CohortHarness.inMemory(Map.of("BRAZE_OBJECTS_PER_REQUEST", "50"))) {
            fullSync(h, "1", "A", "s1", users(0, 120));
            h.runRefresh();
            assertEquals(List.of(50, 50, 20), h.braze.requests().stream().map(r -> r.objects()).toList());
        }
    }

    @Test
    void theMatchRateCountsMembersBrazeDidNotTake() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.braze.rejectUser("external_id:u3");
            fullSync(h, "1", "A", "s1", users(0, 4));
            h.runRefresh();
            JsonNode c = BrazeConfigurationFaultTest.cohort(h, "1");
            assertEquals(1, c.path("unmatched_members").asInt());
            assertEquals(0.75, c.path("match_rate").asDouble());
        }
    }
}
