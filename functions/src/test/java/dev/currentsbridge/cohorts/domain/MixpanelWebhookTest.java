package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.domain.postback.MixpanelWebhook;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixpanelWebhookTest {

    /** The example of mixpanel-api.md section 2, with two members. */
    private static final String SPEC_EXAMPLE = """
            {"action": "members",
             "parameters": {
               "mixpanel_project_id": "123", "mixpanel_cohort_name": "Power users", "mixpanel_cohort_id": "456",
               "mixpanel_cohort_description": "...", "mixpanel_session_id": "a1b2",
               "page_info": {"total_pages": 10, "page_count": 6},
               "members": [{"email": "a@x.io", "mixpanel_distinct_id": "d1", "first_name": "A", "last_name": "B", "phone_number": "1"},
                           {"email": "c@x.io", "mixpanel_distinct_id": "d2", "first_name": "C", "last_name": "D", "phone_number": "2"}]}}
            """;

    @Test
    void parsesTheSpecExample() throws Exception {
        MixpanelWebhook m = MixpanelWebhook.parse(Json.MAPPER.readTree(SPEC_EXAMPLE), CohortSettings.defaults());
        assertEquals(MixpanelWebhook.Action.MEMBERS, m.action());
        assertEquals("456", m.cohortId());
        assertEquals("Power users", m.cohortName());
        assertEquals("123", m.projectId());
        assertEquals("a1b2", m.sessionId());
        assertEquals(6, m.pageIndex());
        assertEquals(10, m.totalPages());
        assertEquals(List.of(MemberRef.externalId("d1"), MemberRef.externalId("d2")), m.members());
    }

    @Test
    void emailSettingMakesEmailMembers() throws Exception {
        CohortSettings email = CohortSettings.fromEnv(Env.of(Map.of("MEMBER_ID_FIELD", "email")));
        MixpanelWebhook m = MixpanelWebhook.parse(Json.MAPPER.readTree(SPEC_EXAMPLE), email);
        assertEquals(List.of(MemberRef.email("a@x.io"), MemberRef.email("c@x.io")), m.members());
    }

    @Test
    void numericIdsAreAcceptedAsTextAndMissingIdsAreSkipped() throws Exception {
        String body = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":456,"
                + "\"members\":[{\"mixpanel_distinct_id\":789},{\"email\":\"x@y\"},{\"mixpanel_distinct_id\":\"\"}]}}";
        MixpanelWebhook m = MixpanelWebhook.parse(Json.MAPPER.readTree(body), CohortSettings.defaults());
        assertEquals("456", m.cohortId());
        assertEquals(List.of(MemberRef.externalId("789")), m.members());
        assertEquals(2, m.skipped());
    }

    /** Was refused (400), which pauses Mixpanel's sync: now the member is skipped and counted, the rest kept. */
    @Test
    void tooLongIdsAreSkippedAndCounted() throws Exception {
        String body = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\","
                + "\"members\":[{\"mixpanel_distinct_id\":\"" + "x".repeat(321) + "\"},"
                + "{\"mixpanel_distinct_id\":\"" + "y".repeat(320) + "\"}]}}";
        MixpanelWebhook m = MixpanelWebhook.parse(Json.MAPPER.readTree(body), CohortSettings.defaults());
        assertEquals(List.of(MemberRef.externalId("y".repeat(320))), m.members());
        assertEquals(new MixpanelWebhook.SkippedMembers(0, 0, 1, 0), m.skippedMembers());
    }

    @Test
    void unusableMembersAreCountedByReason() throws Exception {
        String body = "{\"action\":\"remove_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\","
                + "\"page_info\":{\"total_pages\":0,\"page_count\":0},\"members\":[\"u1\",7,"
                + "{\"mixpanel_distinct_id\":true},{\"mixpanel_distinct_id\":1.5},{\"mixpanel_distinct_id\":{}},"
                + "{\"mixpanel_distinct_id\":\" \"},{},{\"mixpanel_distinct_id\":\"ok\"}]}}";
        MixpanelWebhook m = MixpanelWebhook.parse(Json.MAPPER.readTree(body), CohortSettings.defaults());
        assertEquals(List.of(MemberRef.externalId("ok")), m.members());
        assertEquals(new MixpanelWebhook.SkippedMembers(2, 3, 0, 2), m.skippedMembers());
        assertEquals(1, m.pageIndex());
        assertEquals(1, m.totalPages());
        assertTrue(m.skippedMembers().summary(8, "mixpanel_distinct_id").startsWith("7 of 8 members skipped"));
    }

    @Test
    void aBodyThatIsNotMixpanelsShapeIsStillRefused() {
        InvalidPostback e = assertThrows(InvalidPostback.class, () -> MixpanelWebhook.parse(
                Json.MAPPER.readTree("{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\","
                        + "\"members\":{\"a\":1}}}"), CohortSettings.defaults()));
        assertEquals(400, e.status());
    }
}
