package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.api.RequestBody;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.aws.Dynalite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Mixpanel pauses a cohort sync on any 400/401/403/404 until a person re-enables it (mixpanel-api.md section 6),
 * so problems of single members must never refuse the message. Every row was answered 400 before; now it is
 * 200, the usable members are stored, and the skipped ones are counted in the reply (in {@code error.message},
 * which Mixpanel shows, and {@code skipped_members}) and on the cohort.
 */
class WebhookNeverPausesTest {

    /** name, action, members (as the JSON array's elements), page_info or null, usable, skipped by reason. */
    record Row(String name, String action, List<Object> members, int[] pageInfo, int usable, Map<String, Integer> skipped) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Row> formerlyRefused() {
        return List.of(
                new Row("1,500 members in one page", "members", ids(1500), new int[] {1, 1}, 1500, Map.of()),
                new Row("1,001 members in an add_members diff", "add_members", ids(1001), null, 1001, Map.of()),
                new Row("empty add_members diff with zeros in page_info", "add_members", List.of(), new int[] {0, 0}, 0,
                        Map.of()),
                new Row("empty remove_members diff with zeros in page_info", "remove_members", List.of(), new int[] {0, 0},
                        0, Map.of()),
                new Row("a member id of 321 characters", "add_members",
                        List.of(member("x".repeat(321)), member("ok1")), null, 1, Map.of("too_long", 1)),
                new Row("members that are not objects", "add_members", List.of("u1", 7, member("ok1")), null, 1,
                        Map.of("not_an_object", 2)),
                new Row("ids empty, missing or of the wrong type", "add_members",
                        List.of(member(""), Map.of("email", "a@b.c"), member(true), member(1.5), member(Map.of("a", 1)),
                                member("ok1")), null, 1, Map.of("without_id", 2, "wrong_type", 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formerlyRefused")
    void formerRefusalsAreAcceptedWithTheSkipsCounted(Row row) {
        try (CohortHarness h = CohortHarness.inMemory()) {
            APIGatewayV2HTTPResponse r = h.webhook(body(row.action(), "456", "s1", row.pageInfo(), row.members()));
            assertEquals(200, r.getStatusCode(), r.getBody());
            JsonNode reply = CohortHarness.json(r);
            assertEquals("success", reply.path("status").asText());
            assertEquals(row.action(), reply.path("action").asText());
            int skippedTotal = row.skipped().values().stream().mapToInt(Integer::intValue).sum();
            for (String reason : List.of("without_id", "wrong_type", "too_long", "not_an_object")) {
                assertEquals(row.skipped().getOrDefault(reason, 0), reply.path("skipped_members").path(reason).asInt(),
                        reason + " in " + r.getBody());
            }
            if (skippedTotal > 0) {
                assertTrue(reply.path("error").path("message").asText().startsWith(skippedTotal + " of "
                        + (row.usable() + skippedTotal) + " members skipped"), r.getBody());
            } else {
                assertTrue(reply.path("error").isMissingNode(), r.getBody());
            }
            JsonNode cohort = CohortHarness.json(h.call("GET", "/cohorts/456", null, h.bearer(h.key)));
            assertEquals(skippedTotal, cohort.path("skipped_members").asInt(), cohort.toString());
            // the usable members are stored: they reach Braze with the refresh
            h.runRefresh();
            if (!row.action().equals("remove_members")) {
                assertEquals(row.usable(), h.braze.state(CohortHarness.ATTRIBUTE).size());
            }
            // a re-send is a duplicate: counted once
            assertEquals(200, h.webhook(body(row.action(), "456", "s1", row.pageInfo(), row.members())).getStatusCode());
            assertEquals(skippedTotal, CohortHarness.json(h.call("GET", "/cohorts/456", null, h.bearer(h.key)))
                    .path("skipped_members").asInt());
        }
    }

    /** Not Mixpanel's shape at all: still refused, so the sender learns of it. */
    @Test
    void aBodyThatIsNotMixpanelsShapeIsStillRefused() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            assertEquals(400, h.webhook("{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\","
                    + "\"members\":\"all\"}}").getStatusCode());
            assertEquals(400, h.webhook("[]").getStatusCode());
            assertTrue(h.store.registry().listCohorts().isEmpty());
        }
    }

    /**
     * A 1,500-member full-sync page on DynamoDB (dynalite): stored, folded and applied to the Braze emulator; and
     * the worst case the 1 MiB body allows (1000 ids of 320 three-byte characters, ~960 KB of ids, more than
     * twice DynamoDB's 400 KB item limit) stored as several items instead of failing with 503 on every retry,
     * both as a full-sync page and as an add_members diff.
     */
    @Test
    void largePagesAreStoredInItemsSizedByBytesAndApplied() {
        try (CohortHarness h = CohortHarness.dynalite()) {
            assertEquals(200, h.webhook(body("members", "1", "s1", new int[] {1, 1}, ids(1500))).getStatusCode());
            h.runRefresh();
            assertEquals(1500, h.braze.state(CohortHarness.ATTRIBUTE).size());
            JsonNode one = CohortHarness.json(h.call("GET", "/cohorts/1", null, h.bearer(h.key)));
            assertEquals(1500, one.path("member_count").asInt(), one.toString());
            assertEquals(0, one.path("pending_changes").asInt());
            assertEquals(0, one.path("open_sessions").asInt());

            List<Object> wide = IntStream.range(0, 1000)
                    .mapToObj(i -> (Object) member(String.format("%04d", i) + "\u4e2d".repeat(316))).toList();
            String page = body("members", "2", "s2", new int[] {1, 1}, wide);
            int bytes = page.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes > 900_000 && bytes <= RequestBody.MAX_BYTES, "body of " + bytes + " bytes");
            APIGatewayV2HTTPResponse r = h.webhook(page);
            assertEquals(200, r.getStatusCode(), r.getBody());
            assertEquals(200, h.webhook(body("add_members", "3", null, null, wide)).getStatusCode());
            JsonNode three = CohortHarness.json(h.call("GET", "/cohorts/3", null, h.bearer(h.key)));
            assertTrue(three.path("queued_postbacks").asInt() > 1, "stored as several batches: " + three);
            assertEquals(1000, h.store.postbacks().sessionPages("2", "s2").get(0).members().size());
            h.braze.reset();
            h.runRefresh();
            Map<String, java.util.Set<String>> state = h.braze.state(CohortHarness.ATTRIBUTE);
            assertEquals(1000, state.size());
            assertEquals(java.util.Set.of("C2", "C3"), state.get("external_id:0999" + "\u4e2d".repeat(316)),
                    "in cohort 2 (full sync) and cohort 3 (add_members)");
            // dynalite does not enforce DynamoDB's 400 KB item limit, so measure every item as DynamoDB would
            long largest = Dynalite.shared().client().scanPaginator(b -> b.tableName(h.tableName)).items().stream()
                    .mapToLong(WebhookNeverPausesTest::itemBytes).max().orElseThrow();
            assertTrue(largest < 400 * 1024 * 9 / 10, "largest item " + largest + " bytes");
            assertTrue(largest > 200_000, "the pages did need several items: largest " + largest + " bytes");
            JsonNode after = CohortHarness.json(h.call("GET", "/cohorts/3", null, h.bearer(h.key)));
            assertEquals(0, after.path("queued_postbacks").asInt(), after.toString());
            assertEquals(1000, after.path("member_count").asInt());
        }
    }

    /** An item's size by DynamoDB's rules (names and UTF-8 values; numbers and list overheads rounded up). */
    static long itemBytes(Map<String, AttributeValue> item) {
        return item.entrySet().stream().mapToLong(e -> utf8(e.getKey()) + valueBytes(e.getValue())).sum();
    }

    private static long valueBytes(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToLong(x -> 1 + valueBytes(x)).sum();
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToLong(WebhookNeverPausesTest::utf8).sum();
        }
        return 21; // a number (at most 21 bytes) or a boolean
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static List<Object> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> (Object) member("u" + i)).toList();
    }

    static Map<String, Object> member(Object id) {
        return Map.of("mixpanel_distinct_id", id);
    }

    static String body(String action, String cohortId, String session, int[] pageInfo, List<Object> members) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("action", action);
        ObjectNode p = root.putObject("parameters");
        p.put("mixpanel_project_id", "123").put("mixpanel_cohort_name", "C" + cohortId).put("mixpanel_cohort_id", cohortId);
        if (session != null) {
            p.put("mixpanel_session_id", session);
        }
        if (pageInfo != null) {
            p.putObject("page_info").put("total_pages", pageInfo[1]).put("page_count", pageInfo[0]);
        }
        ArrayNode arr = p.putArray("members");
        members.forEach(m -> arr.add(Json.MAPPER.valueToTree(m)));
        return root.toString();
    }
}
