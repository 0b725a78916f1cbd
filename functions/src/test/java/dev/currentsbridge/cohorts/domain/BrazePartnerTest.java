package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The partner route's {@code cohort_changes}: user ids and aliases become members, device ids are counted. */
class BrazePartnerTest {

    private static JsonNode body(String cohortChanges) throws IOException {
        return Json.MAPPER.readTree("{\"partner_api_key\":\"p\",\"client_secret\":\"k\",\"cohort_id\":\"c1\","
                + "\"cohort_changes\":" + cohortChanges + "}");
    }

    private static String alias(String name, String label) {
        return Json.MAPPER.createObjectNode().put("alias_name", name).put("alias_label", label).toString();
    }

    @Test
    void aliasesAreMembersWithTheSameAddAndRemoveSemanticsAsUserIds() throws IOException {
        BrazePartner.UserChanges c = BrazePartner.parseUsers(body("[{\"user_ids\":[\"u1\"],\"device_ids\":[\"d1\",\"d2\"],"
                + "\"aliases\":[" + alias("n1", "mp") + "," + alias("n2", "mp") + "," + alias("u1", "ext") + "]},"
                + "{\"aliases\":[" + alias("n2", "mp") + "],\"should_remove\":true},"
                + "{\"aliases\":[" + alias("n3", "mp") + "],\"should_remove\":true},"
                + "{\"aliases\":[" + alias("n3", "mp") + "],\"should_remove\":false}]"));
        assertEquals("c1", c.cohortId());
        assertEquals(List.of(MemberRef.externalId("u1"), MemberRef.alias("n1", "mp"), MemberRef.alias("u1", "ext"),
                MemberRef.alias("n3", "mp")), c.added(), "the latest entry for an alias decides, as for a user id");
        assertEquals(List.of(MemberRef.alias("n2", "mp")), c.removed());
        assertEquals(2, c.ignoredDeviceIds(), "only device ids are left unapplied");
    }

    @Test
    void aliasTextIsKeptExactly() throws IOException {
        BrazePartner.UserChanges c = BrazePartner.parseUsers(body("[{\"aliases\":[" + alias(" a#b:1 ", "l\u0000#") + "]}]"));
        MemberRef ref = c.added().get(0);
        assertEquals(" a#b:1 ", ref.aliasName());
        assertEquals("l\u0000#", ref.aliasLabel());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"aliases\":{\"alias_name\":\"n\",\"alias_label\":\"l\"}}]", // an object, not an array
        "[{\"aliases\":[\"n\"]}]",
        "[{\"aliases\":[[\"n\",\"l\"]]}]",
        "[{\"aliases\":[null]}]",
        "[{\"aliases\":[{\"alias_name\":\"n\"}]}]",
        "[{\"aliases\":[{\"alias_label\":\"l\"}]}]",
        "[{\"aliases\":[{\"alias_name\":\"\",\"alias_label\":\"l\"}]}]",
        "[{\"aliases\":[{\"alias_name\":\"n\",\"alias_label\":\"\"}]}]",
        "[{\"aliases\":[{\"alias_name\":\"  \",\"alias_label\":\"l\"}]}]",
        "[{\"aliases\":[{\"alias_name\":1,\"alias_label\":\"l\"}]}]",
        "[{\"aliases\":[{\"alias_name\":\"n\",\"alias_label\":null}]}]",
        "[{\"aliases\":[{\"alias_name\":\"n\",\"alias_label\":{\"x\":1}}]}]",
        "[{\"user_ids\":[\"u1\"],\"aliases\":[{\"alias_name\":\"n\",\"alias_label\":\"l\"},{\"alias_name\":true,\"alias_label\":\"l\"}]}]"
    })
    void malformedAliasesGetBrazesCohortChangesMessage(String changes) {
        InvalidPostback e = assertThrows(InvalidPostback.class, () -> BrazePartner.parseUsers(body(changes)));
        assertEquals(400, e.status());
        assertEquals(BrazePartner.INVALID_CHANGES, e.getMessage());
    }

    @Test
    void nameAndLabelTogetherAreCappedLikeOneId() throws IOException {
        String name = "n".repeat(300);
        assertEquals(1, BrazePartner.parseUsers(body("[{\"aliases\":[" + alias(name, "l".repeat(20)) + "]}]")).added().size());
        InvalidPostback e = assertThrows(InvalidPostback.class,
                () -> BrazePartner.parseUsers(body("[{\"aliases\":[" + alias(name, "l".repeat(21)) + "]}]")));
        assertEquals(BrazePartner.INVALID_CHANGES, e.getMessage());
    }

    private static String changes(int userIds, int deviceIds, int aliases) {
        ArrayNode changes = Json.MAPPER.createArrayNode();
        ObjectNode c = changes.addObject();
        ArrayNode users = c.putArray("user_ids");
        IntStream.range(0, userIds).forEach(i -> users.add("u" + i));
        ArrayNode devices = c.putArray("device_ids");
        IntStream.range(0, deviceIds).forEach(i -> devices.add("d" + i));
        ArrayNode removed = changes.addObject().put("should_remove", true).putArray("aliases");
        IntStream.range(0, aliases).forEach(i -> removed.addObject().put("alias_name", "a" + i).put("alias_label", "mp"));
        return changes.toString();
    }

    @Test
    void aliasesCountTowardTheThousandIdLimit() throws IOException {
        BrazePartner.UserChanges ok = BrazePartner.parseUsers(body(changes(400, 100, 500)));
        assertEquals(400, ok.added().size());
        assertEquals(500, ok.removed().size());
        assertEquals(1000, BrazePartner.parseUsers(body(changes(0, 0, 1000))).removed().size());
        for (String over : List.of(changes(400, 100, 501), changes(0, 0, 1001), changes(999, 0, 2))) {
            InvalidPostback e = assertThrows(InvalidPostback.class, () -> BrazePartner.parseUsers(body(over)));
            assertEquals(400, e.status());
            assertEquals(BrazePartner.TOO_MANY_IDS, e.getMessage());
        }
    }
}
