package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.time.LambdaTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deployed wiring of {@code FORWARD_DELETIONS}: SQS on ElasticMQ, the Mixpanel secret on the Secrets Manager stub,
 * the state in a cohort table on dynalite, Mixpanel's /import and GDPR API on the emulator. A second handler is a
 * new container (cold cache): it sees the first one's map and suppression list.
 */
class ExportHandlerDeletionsTest {

    private final ExportHarness h = new ExportHarness(false);
    private final String table = Dynalite.shared().newCohortTable(Dynalite.shared().client());

    @AfterEach
    void close() {
        h.close();
    }

    private Map<String, String> env() {
        return Map.of("FORWARD_DELETIONS", "true", "TABLE_NAME", table,
                "AWS_ENDPOINT_URL_DYNAMODB", Dynalite.shared().endpoint().toString(),
                "MIXPANEL_GDPR_URL", h.mixpanel.baseUrl());
    }

    private ExportHandler handler(LambdaTime time) {
        Env env = h.env(env());
        return new ExportHandler(ExportPorts.fromAws(TestAws.clients(env), env), env, time.sleeper(),
                new SplittableRandom(42));
    }

    private void withGdprFields() {
        ObjectNode s = (ObjectNode) Json.MAPPER.valueToTree(Map.of(
                "service_account_user", ExportHarness.SA_USER, "service_account_secret", ExportHarness.SA_SECRET,
                "project_id", ExportHarness.PROJECT_ID, "project_token", "project-token",
                "gdpr_oauth_token", "gdpr-oauth-token"));
        h.secrets.put(ExportHarness.SECRET_ID, s.toString());
    }

    private static String event(String type, String id, String brazeId, String externalId) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("event_type", type).put("id", id).put("user_id", brazeId)
                .put("time", 1_700_000_000L);
        if (externalId != null) {
            o.put("external_user_id", externalId).put("campaign_id", "c1");
        }
        return o.toString();
    }

    @Test
    void eventsThenDeleteThenLaterEventsAcrossContainers() {
        withGdprFields();
        LambdaTime time = new LambdaTime(Duration.ofMinutes(2));
        ExportHandler first = handler(time);
        h.send(event("users.messages.email.Open", "e1", "b-1", "user-del-1"));
        h.send(event("users.messages.email.Open", "e2", "b-2", "user-del-2"));
        ExportHarness.Invocation i1 = h.invoke(first, time.restart());
        i1.assertAccountedFor(2);
        assertEquals(2, i1.metric("EventsExported"));

        h.send(event("users.UserDeleteRequest", "d1", "b-1", null));
        ExportHarness.Invocation i2 = h.invoke(handler(time), time.restart());
        assertTrue(i2.failedMessageIds().isEmpty());
        assertEquals(List.of("user-del-1"), h.mixpanel.deletions().deletedDistinctIds());
        assertEquals(1, h.mixpanel.deletions().requests().size());

        h.send(event("users.messages.email.Open", "e3", "b-1", "user-del-1"));
        h.send(event("users.messages.email.Open", "e4", "b-2", "user-del-2"));
        ExportHarness.Invocation i3 = h.invoke(handler(time), time.restart());
        i3.assertAccountedFor(2);
        assertEquals(1, i3.metric("EventsSkipped"));
        assertEquals(1, i3.metric("EventsExported"));
        assertEquals(3, h.mixpanel.importedUnique());
    }

    @Test
    void offByDefaultADeleteRequestIsNotForwarded() {
        LambdaTime time = new LambdaTime(Duration.ofMinutes(2));
        ExportHandler plain = h.handler(time);
        h.send(event("users.messages.email.Open", "e1", "b-1", "user-del-1"));
        h.send(event("users.UserDeleteRequest", "d1", "b-1", null));
        h.invoke(plain, time.restart()).assertAccountedFor(2);
        assertTrue(h.mixpanel.deletions().requests().isEmpty());
    }
}
