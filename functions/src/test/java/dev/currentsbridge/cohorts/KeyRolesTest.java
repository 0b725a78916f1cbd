package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.common.api.Routes;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Key roles over HTTP: the key entered in Mixpanel (a postback key) cannot read members, change a cohort or
 * manage keys; an admin key can; a project-bound key posts only for its project; the last admin key stays.
 */
class KeyRolesTest {

    @Test
    void rolesInMemory() {
        roles(CohortHarness::inMemory);
    }

    @Test
    void rolesOnDynalite() {
        roles(CohortHarness::dynalite);
    }

    private void roles(Supplier<CohortHarness> harness) {
        try (CohortHarness h = harness.get()) {
            String admin = h.key; // the harness's key is an admin key
            assertEquals(200, h.webhook(CohortHarness.membersPage("9", "N", "s", 1, 1, List.of("u1"))).getStatusCode());

            APIGatewayV2HTTPResponse created = h.call("POST", "/keys", "{\"label\":\"mixpanel\"}", h.bearer(admin));
            assertEquals(201, created.getStatusCode(), created.getBody());
            JsonNode c = CohortHarness.json(created);
            assertEquals("postback", c.path("role").asText(), "POST /keys makes a postback key unless asked");
            String postback = c.path("key").asText();

            // every admin route of the table refuses the postback key (403) and serves the admin key
            List<Routes.Route> adminRoutes = Routes.servedBy(Routes.ApiFunction.COHORT_API).stream()
                    .filter(r -> r.role() == Routes.Role.ADMIN).toList();
            assertEquals(7, adminRoutes.size());
            for (Routes.Route r : adminRoutes) {
                String path = r.path().replace("{cohortId}", "9").replace("{keyId}", c.path("key_id").asText());
                String body = r.method().equals("PATCH") ? "{\"sync_mode\":\"one_time\"}"
                        : r.method().equals("POST") ? "{\"label\":\"x\",\"role\":\"admin\"}" : null;
                APIGatewayV2HTTPResponse refused = h.call(r.method(), path, body, h.bearer(postback));
                assertEquals(403, refused.getStatusCode(), r.routeKey() + ": " + refused.getBody());
                assertTrue(CohortHarness.json(refused).path("message").asText().contains("needs an admin key"));
                if (!r.method().equals("DELETE")) {
                    int ok = h.call(r.method(), path, body, h.bearer(admin)).getStatusCode();
                    assertTrue(ok == 200 || ok == 201, r.routeKey() + " with an admin key: " + ok);
                }
            }
            // the postback key still does its job, in both postback shapes
            assertEquals(200, h.call("POST", "/mixpanel/webhook", CohortHarness.membersPage("9", "N", "s2", 1, 1,
                    List.of("u1")), h.basic(postback)).getStatusCode());
            assertEquals(200, h.partner("/partners/mixpanel/cohorts/users", "{\"client_secret\":\"" + postback
                    + "\",\"cohort_id\":\"9\",\"cohort_changes\":[{\"user_ids\":[\"u2\"]}]}").getStatusCode());
            // and the admin key revokes it
            assertEquals(200, h.call("DELETE", "/keys/" + c.path("key_id").asText(), null, h.bearer(admin)).getStatusCode());
            assertEquals(401, h.call("POST", "/mixpanel/webhook", CohortHarness.membersPage("9", "N", "s3", 1, 1,
                    List.of("u1")), h.basic(postback)).getStatusCode());

            // the last admin key is kept over HTTP, however many admin keys were created and revoked before
            List<KeyRecord> admins = h.store.keys().listKeys().stream().filter(KeyRecord::activeAdmin).toList();
            for (KeyRecord k : admins.subList(1, admins.size())) {
                assertEquals(200, h.call("DELETE", "/keys/" + k.keyId(), null, h.bearer(admin)).getStatusCode());
            }
            APIGatewayV2HTTPResponse last = h.call("DELETE", "/keys/" + admins.get(0).keyId(), null, h.bearer(admin));
            assertEquals(409, last.getStatusCode(), last.getBody());
            assertTrue(h.store.keys().findKey(admins.get(0).keyId()).orElseThrow().active());
        }
    }

    @Test
    void aProjectBoundKeyRefusesOtherProjects() {
        try (CohortHarness h = CohortHarness.dynalite()) {
            APIGatewayV2HTTPResponse created = h.call("POST", "/keys",
                    "{\"label\":\"prod\",\"role\":\"postback\",\"project_id\":\"123\"}", h.bearer(h.key));
            assertEquals(201, created.getStatusCode(), created.getBody());
            assertEquals("123", CohortHarness.json(created).path("project_id").asText());
            String bound = CohortHarness.json(created).path("key").asText();

            String own = CohortHarness.membersPage("9", "N", "s", 1, 1, List.of("u1")); // names project 123
            assertEquals(200, h.call("POST", "/mixpanel/webhook", own, h.basic(bound)).getStatusCode());
            String other = own.replace("\"mixpanel_project_id\":\"123\"", "\"mixpanel_project_id\":\"999\"");
            APIGatewayV2HTTPResponse refused = h.call("POST", "/mixpanel/webhook", other, h.basic(bound));
            assertEquals(403, refused.getStatusCode(), refused.getBody());
            assertTrue(CohortHarness.json(refused).path("error").path("message").asText().contains("project 123 only"));
            String none = own.replace("\"mixpanel_project_id\":\"123\",", "");
            assertEquals(403, h.call("POST", "/mixpanel/webhook", none, h.basic(bound)).getStatusCode());
            // an unbound key takes any project
            assertEquals(200, h.call("POST", "/mixpanel/webhook", other.replace("\"mixpanel_cohort_id\":\"9\"", "\"mixpanel_cohort_id\":\"10\""), h.basic(h.key))
                    .getStatusCode());

            // partner shape: no project in the body, so the cohort's recorded project decides
            h.webhook(CohortHarness.membersPage("77", "Other", "s", 1, 1, List.of("u1"))
                    .replace("\"mixpanel_project_id\":\"123\"", "\"mixpanel_project_id\":\"555\""));
            String partner = "{\"client_secret\":\"" + bound + "\",\"cohort_id\":\"%s\",\"cohort_changes\":[{\"user_ids\":[\"u2\"]}]}";
            assertEquals(403, h.partner("/partners/mixpanel/cohorts/users", partner.formatted("77")).getStatusCode());
            assertEquals(200, h.partner("/partners/mixpanel/cohorts/users", partner.formatted("9")).getStatusCode());
            // nothing from the refused postbacks was stored
            assertEquals("555", h.store.registry().findCohort("77").orElseThrow().projectId());
            assertEquals(1, h.store.postbacks().unfoldedChanges("77").size() + h.store.postbacks().openSessions("77").size());
        }
    }

    @Test
    void keysStoredBeforeRolesKeepWorkingEverywhereAndBindingNeedsAPostbackKey() {
        try (CohortHarness h = CohortHarness.inMemory()) {
            KeyRecord legacy = new KeyRecord("legacy0001", "old", "00".repeat(32), h.clock.instant(), null, null);
            assertEquals(KeyRole.ADMIN, legacy.role());
            assertEquals(400, h.call("POST", "/keys", "{\"role\":\"admin\",\"project_id\":\"1\"}", h.bearer(h.key))
                    .getStatusCode(), "only postback keys are bound to a project");
            assertEquals(400, h.call("POST", "/keys", "{\"role\":\"owner\"}", h.bearer(h.key)).getStatusCode());
            String cliPostback = new KeyAdmin(h.store.keys(), h.clock).create("cli", KeyRole.POSTBACK, null).secret();
            assertEquals(403, h.call("GET", "/cohorts", null, h.bearer(cliPostback)).getStatusCode());
            assertEquals(200, h.call("GET", "/keys", null, h.bearer(h.key)).getStatusCode());
            JsonNode keys = CohortHarness.json(h.call("GET", "/keys", null, h.bearer(h.key))).path("keys");
            assertEquals(Map.of("test", "admin", "cli", "postback"), Map.of(keys.get(0).path("label").asText(),
                    keys.get(0).path("role").asText(), keys.get(1).path("label").asText(), keys.get(1).path("role").asText()));
        }
    }
}
