package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.braze.BrazeFake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Braze partner {@code aliases} through both handlers to the Braze fake: written as {@code user_alias} objects,
 * added then removed, one user per alias (not per alias name), shown by the members route.
 */
class PartnerAliasTest {

    private static final String A = CohortHarness.ATTRIBUTE;

    record Alias(String name, String label) {
        String user() {
            return BrazeFake.alias(name, label);
        }
    }

    static Stream<Arguments> stores() {
        return Stream.of(Arguments.of("in memory", (Supplier<CohortHarness>) CohortHarness::inMemory),
                Arguments.of("dynalite", (Supplier<CohortHarness>) CohortHarness::dynalite));
    }

    private static String changes(CohortHarness h, String cohortId, List<String> userIds, List<Alias> aliases,
                                  boolean remove) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("partner_api_key", "mixpanel").put("client_secret", h.key)
                .put("cohort_id", cohortId);
        ObjectNode change = root.putArray("cohort_changes").addObject();
        if (!userIds.isEmpty()) {
            ArrayNode ids = change.putArray("user_ids");
            userIds.forEach(ids::add);
        }
        ArrayNode arr = change.putArray("aliases");
        aliases.forEach(a -> arr.addObject().put("alias_name", a.name()).put("alias_label", a.label()));
        change.put("should_remove", remove);
        return root.toString();
    }

    private static void post(CohortHarness h, String body) {
        APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts/users", body);
        assertEquals(200, r.getStatusCode(), r.getBody());
        assertEquals("{\"message\":\"success\"}", r.getBody());
    }

    private static void name(CohortHarness h, String cohortId, String name) {
        APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts", Json.MAPPER.createObjectNode()
                .put("client_secret", h.key).put("cohort_id", cohortId).put("name", name)
                .put("created_at", "2026-11-01T00:00:00Z").toString());
        assertEquals(200, r.getStatusCode(), r.getBody());
    }

    private static List<JsonNode> objects(CohortHarness h, int fromRequest) {
        List<JsonNode> out = new ArrayList<>();
        h.braze.requests().subList(fromRequest, h.braze.requests().size())
                .forEach(r -> r.body().path("attributes").forEach(out::add));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aliasIsAddedThenRemovedInBraze(String store, Supplier<CohortHarness> harness) {
        // Separators, the length prefix's own characters and an emoji: the stores' keys must keep them apart.
        Alias vip = new Alias("n-1", "mixpanel_id");
        Alias hashLabel = new Alias("c", "a#b");
        Alias hashName = new Alias("b#c", "a");
        Alias sameTextAsUserId = new Alias("u1", "external_id");
        Alias odd = new Alias("12:\u00e9 \uD83D\uDE00\"x", "1:");
        try (CohortHarness h = harness.get()) {
            name(h, "p1", "VIP");
            post(h, changes(h, "p1", List.of("u1"), List.of(vip, hashLabel, hashName, sameTextAsUserId, odd), false));
            h.runRefresh();
            assertEquals(Map.of("external_id:u1", Set.of("VIP"), vip.user(), Set.of("VIP"), hashLabel.user(), Set.of("VIP"),
                    hashName.user(), Set.of("VIP"), sameTextAsUserId.user(), Set.of("VIP"), odd.user(), Set.of("VIP")),
                    h.braze.state(A), "every alias is its own user, next to the external id u1");
            List<JsonNode> sent = objects(h, 0);
            assertEquals(6, sent.size());
            JsonNode aliasObject = sent.stream().filter(o -> o.has("user_alias")
                    && o.path("user_alias").path("alias_name").asText().equals(odd.name())).findFirst().orElseThrow();
            assertEquals(odd.label(), aliasObject.path("user_alias").path("alias_label").asText());
            assertEquals(2, aliasObject.path("user_alias").size(), "exactly alias_name and alias_label");
            assertFalse(aliasObject.has("external_id"));
            assertTrue(aliasObject.path("_update_existing_only").asBoolean());
            assertEquals("[\"VIP\"]", aliasObject.path(A).path("add").toString());

            JsonNode members = CohortHarness.json(h.call("GET", "/cohorts/p1/members", null, h.bearer(h.key)));
            assertEquals(6, members.path("members").size());
            JsonNode shown = null;
            for (JsonNode m : members.path("members")) {
                if (m.path("id_type").asText().equals("user_alias")
                        && m.path("user_alias").path("alias_label").asText().equals(hashLabel.label())) {
                    shown = m;
                }
            }
            assertNotNull(shown, members.toString());
            assertEquals(hashLabel.name(), shown.path("user_alias").path("alias_name").asText());
            assertFalse(shown.has("id"), "an alias has no single id");
            assertEquals("VIP", shown.path("in_braze").asText());
            assertEquals("none", shown.path("pending").asText());

            // the alias leaves; the external id with the same text and the other aliases stay
            int before = h.braze.requests().size();
            post(h, changes(h, "p1", List.of(), List.of(sameTextAsUserId, hashLabel), true));
            h.runRefresh();
            List<JsonNode> removal = objects(h, before);
            assertEquals(2, removal.size());
            removal.forEach(o -> {
                assertTrue(o.has("user_alias"));
                assertEquals("[\"VIP\"]", o.path(A).path("remove").toString());
                assertFalse(o.path(A).has("add"));
            });
            assertEquals(Set.of(), h.braze.values(sameTextAsUserId.user(), A));
            assertEquals(Set.of(), h.braze.values(hashLabel.user(), A));
            assertEquals(Set.of("VIP"), h.braze.values("external_id:u1", A));
            assertEquals(Set.of("VIP"), h.braze.values(hashName.user(), A));
            assertEquals(Set.of("VIP"), h.braze.values(odd.user(), A));
            JsonNode cohort = CohortHarness.json(h.call("GET", "/cohorts/p1", null, h.bearer(h.key)));
            assertEquals(4, cohort.path("member_count").asInt());
            assertEquals(0, cohort.path("pending_changes").asInt());
            assertEquals(8, cohort.path("data_points").asInt());
            assertEquals(4, CohortHarness.json(h.call("GET", "/cohorts/p1/members", null, h.bearer(h.key)))
                    .path("members").size(), "removed and no longer in Braze: the member item is gone");
        }
    }

    @Test
    void anAliasInSeveralCohortsGetsOneObjectPerCohort() {
        // Cohorts are refreshed one at a time (memory bounded by the largest cohort, docs/PERFORMANCE.md section 6),
        // so a user in two cohorts gets one object per cohort, not one combined object per run.
        Alias a = new Alias("n1", "mp");
        try (CohortHarness h = CohortHarness.inMemory()) {
            name(h, "c1", "A");
            name(h, "c2", "B");
            post(h, changes(h, "c1", List.of(), List.of(a), false));
            post(h, changes(h, "c2", List.of(), List.of(a, new Alias("n1", "other")), false));
            h.runRefresh();
            assertEquals(2, h.braze.requests().size(), "one request per cohort");
            assertEquals(1, h.braze.requests().get(0).objects());
            assertEquals(2, h.braze.requests().get(1).objects(), "one object per alias, not per alias name");
            assertEquals(Set.of("A", "B"), h.braze.values(a.user(), A));
            assertEquals(Set.of("B"), h.braze.values(new Alias("n1", "other").user(), A));

            post(h, changes(h, "c1", List.of(), List.of(a), true));
            post(h, changes(h, "c2", List.of(), List.of(a), true));
            h.runRefresh();
            List<JsonNode> second = objects(h, 2);
            assertEquals(2, second.size(), "one removal per cohort");
            Set<Object> removed = new java.util.HashSet<>();
            second.forEach(o -> removed.addAll(Json.MAPPER.convertValue(o.path(A).path("remove"), List.class)));
            assertEquals(Set.of("A", "B"), removed);
            assertEquals(Set.of(), h.braze.values(a.user(), A));
        }
    }

    @Test
    void brazeRejectingAnAliasIsRecordedOnThatMember() {
        Alias unknown = new Alias("ghost", "mp");
        try (CohortHarness h = CohortHarness.inMemory()) {
            h.braze.rejectUser(unknown.user());
            name(h, "c1", "A");
            post(h, changes(h, "c1", List.of(), List.of(unknown, new Alias("real", "mp")), false));
            Map<String, Object> report = h.runRefresh();
            assertEquals(1L, ((Number) report.get("rejected")).longValue());
            assertEquals(Map.of(new Alias("real", "mp").user(), Set.of("A")), h.braze.state(A));
            JsonNode members = CohortHarness.json(h.call("GET", "/cohorts/c1/members", null, h.bearer(h.key)));
            JsonNode ghost = null;
            for (JsonNode m : members.path("members")) {
                if (m.path("user_alias").path("alias_name").asText().equals("ghost")) {
                    ghost = m;
                }
            }
            assertNotNull(ghost);
            assertEquals("Invalid user", ghost.path("rejected").asText());
            assertTrue(ghost.path("in_braze").isNull());
        }
    }

    @Test
    void thousandIdsIncludingAliasesAreAcceptedAndOneMoreIsRefused() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            List<String> users = IntStream.range(0, 400).mapToObj(i -> "u" + i).toList();
            List<Alias> aliases = IntStream.range(0, 600).mapToObj(i -> new Alias("a" + i, "mp")).toList();
            post(h, changes(h, "c1", users, aliases, false));
            h.clock.advance(Duration.ofMinutes(1));
            List<Alias> oneMore = new ArrayList<>(aliases);
            oneMore.add(new Alias("a600", "mp"));
            APIGatewayV2HTTPResponse r = h.partner("/partners/mixpanel/cohorts/users", changes(h, "c2", users, oneMore, false));
            assertEquals(400, r.getStatusCode());
            assertEquals("Only 1,000 user_ids, device_ids, and aliases are allowed per request",
                    CohortHarness.json(r).path("message").asText());
            assertTrue(h.store.registry().findCohort("c2").isEmpty(), "nothing stored for the refused request");
            h.runRefresh();
            assertEquals(1000, h.braze.state(A).size());
            assertEquals(1, h.braze.values(new Alias("a599", "mp").user(), A).size());
            assertEquals(Math.ceilDiv(1000, 75), h.braze.requests().size());
            assertNull(h.store.registry().findCohort("c1").orElseThrow().lastError());
        }
    }
}
