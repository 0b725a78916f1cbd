package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.mapping.ProfileTable;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.time.LambdaTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deployed wiring of profiles: the export handler built from {@code ExportPorts.fromAws} (real SDK clients,
 * Secrets Manager stub, the real {@code /engage} adapter) sends a selected {@code users.profile.Update} to the
 * emulator's {@code /engage} and the events of the same message to {@code /import}.
 */
class ExportHandlerProfilesTest {

    private static final String TYPE = ProfileTable.PROFILE_TYPE;
    private static final String TOKEN = "project-token-7";
    private ExportHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new ExportHarness(false);
        ObjectNode secret = (ObjectNode) Json.MAPPER.readTree(ExportHarness.serviceAccountSecret(ExportHarness.SA_USER,
                ExportHarness.SA_SECRET, ExportHarness.PROJECT_ID));
        h.secrets.put(ExportHarness.SECRET_ID, secret.put("project_token", TOKEN).toString());
        h.mixpanel.engage().acceptToken(TOKEN);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static String profileBatch() {
        ObjectNode storage = CurrentsSamples.storageSample(TYPE);
        List<ObjectNode> events = List.of(CurrentsSamples.toHttpForm(storage),
                CurrentsFixtures.httpCustomEvent("c-1", "user-c1", CurrentsFixtures.TIME));
        return CurrentsFixtures.httpBatch(events);
    }

    @Test
    void aSelectedProfileUpdateGoesToEngageAndTheOtherEventsToImport() {
        h.send(profileBatch());

        ExportHarness.Invocation inv = h.invoke(h.handler(Map.of("EXPORT_EVENT_TYPES", "default," + TYPE),
                new LambdaTime(Duration.ofMinutes(5))));

        assertEquals(List.of(), inv.failedMessageIds());
        inv.assertAccountedFor(2);
        assertEquals(2, inv.metric("EventsExported"));
        JsonNode profile = h.mixpanel.engage().profiles().get("user-01101");
        assertEquals("user-01101", profile.get("$braze_external_id").asText());
        assertEquals("gold", profile.get("[Braze attribute] loyalty_tier").asText());
        assertEquals("0", h.mixpanel.engage().requests().getFirst().ip());
        assertEquals(1, h.mixpanel.eventsImported(), "only the custom event went to /import");
        assertTrue(h.mixpanel.imported().stream().noneMatch(e -> e.path("event").asText().equals(TYPE)));
    }

    @Test
    void notSelectedTheProfileUpdateIsSkippedByRule() {
        h.send(profileBatch());

        ExportHarness.Invocation inv = h.invoke(h.handler(new LambdaTime(Duration.ofMinutes(5))));

        inv.assertAccountedFor(2);
        assertEquals(1, inv.metric("EventsSkipped"));
        assertEquals(List.of(), h.mixpanel.engage().requests());
    }
}
