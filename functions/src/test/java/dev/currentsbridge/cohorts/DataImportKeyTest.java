package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.common.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Data import keys: created once-shown, several active for rotation, revoked keys refused at once. */
class DataImportKeyTest {

    private static final java.util.regex.Pattern USER_ID_TOKEN = java.util.regex.Pattern.compile("(?<![A-Za-z0-9])u[12](?![A-Za-z0-9])");

    @Test
    void rotationAndInvalidationInMemory() {
        rotationAndInvalidation(CohortHarness::inMemory);
    }

    @Test
    void rotationAndInvalidationOnDynalite() {
        rotationAndInvalidation(CohortHarness::dynalite);
    }

    private void rotationAndInvalidation(Supplier<CohortHarness> harness) {
        List<String> logs = new ArrayList<>();
        var previous = Log.setSink(logs::add);
        try (CohortHarness h = harness.get()) {
            String oldKey = h.key;
            APIGatewayV2HTTPResponse created = h.call("POST", "/keys", "{\"label\":\"rotation 2026\",\"role\":\"admin\"}",
                    h.bearer(oldKey));
            assertEquals(201, created.getStatusCode(), created.getBody());
            JsonNode c = CohortHarness.json(created);
            String newKey = c.path("key").asText();
            String newId = c.path("key_id").asText();
            assertTrue(newKey.startsWith("cbk_" + newId + "_"));

            // the secret is stored only as a hash and never shown again
            KeyRecord stored = h.store.keys().findKey(newId).orElseThrow();
            assertFalse(stored.sha256Hex().contains(newKey));
            JsonNode listed = CohortHarness.json(h.call("GET", "/keys", null, h.bearer(newKey)));
            assertEquals(2, listed.path("keys").size());
            assertFalse(listed.toString().contains(newKey.substring(15)));
            assertEquals("rotation 2026", listed.path("keys").get(1).path("label").asText());

            // both keys work during rotation, in every auth style
            String body = CohortHarness.membersPage("9", "N", "s", 1, 1, List.of("u1"));
            assertEquals(200, h.call("POST", "/mixpanel/webhook", body, h.basic(oldKey)).getStatusCode());
            assertEquals(200, h.call("POST", "/mixpanel/webhook", body, h.basic(newKey)).getStatusCode());
            String partner = "{\"client_secret\":\"%s\",\"cohort_id\":\"9\",\"cohort_changes\":[{\"user_ids\":[\"u2\"]}]}";
            assertEquals(200, h.partner("/partners/mixpanel/cohorts/users", partner.formatted(oldKey)).getStatusCode());
            assertEquals(200, h.partner("/partners/mixpanel/cohorts/users", partner.formatted(newKey)).getStatusCode());

            // retire the old key with the new one: refused immediately afterwards
            String oldId = h.store.keys().listKeys().get(0).keyId();
            APIGatewayV2HTTPResponse revoked = h.call("DELETE", "/keys/" + oldId, null, h.bearer(newKey));
            assertEquals(200, revoked.getStatusCode(), revoked.getBody());
            assertFalse(CohortHarness.json(revoked).path("active").asBoolean());
            assertEquals(401, h.call("POST", "/mixpanel/webhook", body, h.basic(oldKey)).getStatusCode());
            assertEquals(401, h.partner("/partners/mixpanel/cohorts/users", partner.formatted(oldKey)).getStatusCode());
            assertEquals(401, h.call("GET", "/cohorts", null, h.bearer(oldKey)).getStatusCode());
            assertEquals(200, h.call("GET", "/cohorts", null, h.bearer(newKey)).getStatusCode());

            // the last active key cannot be revoked over HTTP (that would lock everyone out)
            assertEquals(409, h.call("DELETE", "/keys/" + newId, null, h.bearer(newKey)).getStatusCode());
            KeyRecord newRecord = h.store.keys().findKey(newId).orElseThrow();
            assertNull(newRecord.revokedAt());
            assertNotNull(newRecord.lastUsedAt());
            assertNotNull(h.store.keys().findKey(oldId).orElseThrow().revokedAt());
        } finally {
            Log.setSink(previous);
        }
        assertFalse(logs.isEmpty());
        for (String line : logs) {
            assertFalse(line.contains("cbk_"), "a key reached the logs: " + line);
            // whole-token match: random key ids (base 36) may contain "u1" or "u2" inside them
            assertFalse(USER_ID_TOKEN.matcher(line).find(), "a user id reached the logs: " + line);
        }
    }
}
