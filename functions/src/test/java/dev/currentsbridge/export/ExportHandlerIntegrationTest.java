package dev.currentsbridge.export;

import static dev.currentsbridge.standins.fixtures.CurrentsFixtures.EMAIL_OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.time.LambdaTime;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The export function end to end through {@link ExportHandler}: real SDK clients to ElasticMQ, the Secrets
 * Manager and S3 stubs, the real HTTP client to the Mixpanel fake. Every test checks that each event read
 * ends in exactly one bucket and that the buckets match what Mixpanel and the rejects queue really got.
 */
class ExportHandlerIntegrationTest {

    private ExportHarness h;
    private LambdaTime time;

    @BeforeEach
    void setUp() {
        h = new ExportHarness(false);
        time = new LambdaTime(Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void storageEventsAreImportedWithTypeFromBodyOrAttributeAndUsersWithoutExternalIdSkipped() {
        h.send(CurrentsFixtures.storageJson("s-1", "user-s-1"));
        h.send(CurrentsFixtures.emailOpen("s-2", "user-s-2").toString(), Map.of("event_type", EMAIL_OPEN));
        h.send(CurrentsFixtures.storageJson("s-3", null));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(3);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(2, inv.metric("EventsExported"));
        assertEquals(1, inv.metric("Skipped.no_external_user_id"));
        assertEquals(Set.of("s-1", "s-2"), h.mixpanel.importedInsertIds(), "valid Currents ids are used as is");
        JsonNode e = h.mixpanel.imported().get(0);
        assertEquals("Email Open", e.path("event").asText());
        assertEquals(CurrentsFixtures.TIME * 1000, e.path("properties").path("time").asLong());
        assertEquals(0, h.sqs.depth(h.exportQueue), "handled messages are deleted");
        assertEquals(List.of(), h.rejects());
        MixpanelFake.Request r = h.mixpanel.requests().get(0);
        assertTrue(r.gzip());
        assertEquals(ExportHarness.PROJECT_ID, r.projectId());
        assertEquals(ExportHarness.SA_USER, r.authUser());
    }

    @Test
    void httpBatchIsImportedAndABadElementGoesToRejectsWithReasonAndOriginal() {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(CurrentsFixtures.httpCustomEvent("h-" + i, "user-h-" + i, CurrentsFixtures.TIME));
        }
        ObjectNode bad = CurrentsFixtures.httpCustomEvent("h-bad", "user-h-bad", CurrentsFixtures.TIME);
        bad.remove("event_type");
        events.add(bad);
        h.send(CurrentsFixtures.httpBatch(events));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(5);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(4, h.mixpanel.imported().size());
        assertEquals("[Braze Custom Event] Added To Cart", h.mixpanel.imported().get(0).path("event").asText());
        List<JsonNode> rejects = h.rejects();
        assertEquals(1, rejects.size());
        JsonNode r = rejects.get(0);
        assertEquals("rejected_malformed", r.path("outcome").asText());
        assertEquals("missing field: event_type", r.path("detail").asText());
        assertEquals("h-bad", r.path("original").path("id").asText(), "the original event travels with the reject");
        assertEquals(1, inv.metric("EventsRejected"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "sns", "eventbridge"})
    void avroFilesNamedByS3NotificationsAreStreamedAndImported(String envelope) {
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "0000" + envelope);
        h.s3.put(ExportHarness.BUCKET, key, CurrentsFixtures.emailOpenAvro("a" + envelope, 50, 10, CodecFactory.deflateCodec(6)));
        String body = switch (envelope) {
            case "direct" -> CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key);
            case "sns" -> CurrentsFixtures.snsWrapped(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));
            default -> CurrentsFixtures.eventBridgeObjectCreated(ExportHarness.BUCKET, key);
        };
        h.send(body);

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(50);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(45, h.mixpanel.imported().size());
        assertEquals(5, inv.metric("Skipped.no_external_user_id"));
        assertEquals(List.of(ExportHarness.BUCKET + "/" + key), h.s3.requestedKeys(), "the URL-encoded key is decoded");
    }

    @Test
    void poisonMessagesGoToRejectsWithReasonAndNeverFailTheOthers() {
        String notAvroKey = CurrentsFixtures.s3Key(EMAIL_OPEN, "notavro");
        h.s3.put(ExportHarness.BUCKET, notAvroKey, "this is not avro".getBytes());
        h.send("not json at all {");
        h.send("{\"hello\":\"world\"}");
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, notAvroKey));
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, CurrentsFixtures.s3Key(EMAIL_OPEN, "missing")));
        h.send("{\"events\":\"not an array\"}");
        h.send(CurrentsFixtures.storageJson("ok-1", "user-ok-1"));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(6);
        assertEquals(List.of(), inv.failedMessageIds(), "poison never fails a message");
        assertEquals(1, h.mixpanel.imported().size());
        Set<String> reasons = new HashSet<>();
        for (JsonNode r : h.rejects()) {
            reasons.add(r.path("reason").asText());
            assertNotNull(r.get("original"));
            assertTrue(!r.path("original").isNull(), "original kept: " + r);
        }
        assertEquals(Set.of("malformed:not_json", "malformed:unknown_shape", "malformed:not_avro",
                "malformed:s3_object_not_found", "malformed:http_batch"), reasons);
        assertEquals(5, inv.metric("EventsRejected"));
    }

    @Test
    void theSameEventFromAFileAndAsStorageJsonYieldsIdenticalMixpanelBytesAndRedeliveryIsDeduplicated() {
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "dup");
        h.s3.put(ExportHarness.BUCKET, key, CurrentsFixtures.emailOpenAvro("dup", 3, 0, CodecFactory.nullCodec()));
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));
        ObjectNode sameAsRecord0 = Json.MAPPER.createObjectNode().put("event_type", EMAIL_OPEN).put("id", "dup-0")
                .put("user_id", "braze-dup-0").put("external_user_id", "user-dup-0").put("time", CurrentsFixtures.TIME)
                .put("campaign_id", "camp-1").put("send_id", "send-1").put("email_address", "person-dup-0@example.com");
        h.send(sameAsRecord0.toString());

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(7);
        assertEquals(7, h.mixpanel.imported().size());
        assertEquals(3, h.mixpanel.importedUnique(), "Mixpanel dedups on event, distinct_id, time and $insert_id");
        Set<String> dup0 = new HashSet<>();
        for (JsonNode e : h.mixpanel.imported()) {
            if (e.path("properties").path("$insert_id").asText().equals("dup-0")) {
                dup0.add(e.toString());
            }
        }
        assertEquals(1, dup0.size(), "byte-identical JSON whichever form the event came in: " + dup0);
    }
}
