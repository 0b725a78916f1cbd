package dev.currentsbridge.export.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.standins.aws.ElasticMq;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

class SqsRejectSinkTest {

    @Test
    void rejectsArriveWithReasonAttributesAndOriginalsAsJson() throws Exception {
        ElasticMq sqs = ElasticMq.shared();
        String queue = sqs.createQueue("rejects-unit");
        List<RejectedEvent> rejects = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            rejects.add(new RejectedEvent("m" + i, Outcome.REJECTED_BY_MIXPANEL, "mixpanel:properties.time",
                    "properties.time: too old", "users.messages.email.Open", "sqs", "{\"id\":\"" + i + "\"}",
                    "{\"event\":\"Email Open\"}"));
        }
        rejects.add(RejectedEvent.malformed("raw", "malformed:not_json", "not JSON", null, "sqs", "plain text"));

        List<RejectedEvent> failed = new SqsRejectSink(sqs.client(), queue).send(rejects);

        assertEquals(List.of(), failed);
        List<Message> got = sqs.drain(queue);
        assertEquals(24, got.size());
        JsonNode any = null;
        JsonNode text = null;
        for (Message m : got) {
            JsonNode n = Json.MAPPER.readTree(m.body());
            if (n.path("original").isTextual()) {
                text = n;
            } else {
                any = n;
                assertEquals("mixpanel:properties.time", m.messageAttributes().get("reason").stringValue());
            }
        }
        assertEquals("Email Open", any.path("mixpanel_event").path("event").asText());
        assertEquals("rejected_by_mixpanel", any.path("outcome").asText());
        assertEquals("plain text", text.path("original").asText());
    }

    @Test
    void anOriginalTooLargeForOneMessageIsTruncatedAndFlagged() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(400_000) + "\"}";
        String body = SqsRejectSink.body(RejectedEvent.malformed("m", "malformed:x", "x", null, "sqs", big));
        assertTrue(body.getBytes(StandardCharsets.UTF_8).length < 256 * 1024);
        assertTrue(Json.MAPPER.readTree(body).path("original_truncated").asBoolean());
    }

    @Test
    void aMissingQueueReturnsEveryRejectAsFailed() {
        ElasticMq sqs = ElasticMq.shared();
        String queue = sqs.createQueue("rejects-gone");
        sqs.deleteQueue(queue);
        List<RejectedEvent> rejects = List.of(RejectedEvent.malformed("m", "malformed:x", "x", null, "sqs", "x"));
        assertEquals(rejects, new SqsRejectSink(sqs.client(), queue).send(rejects));
    }
}
