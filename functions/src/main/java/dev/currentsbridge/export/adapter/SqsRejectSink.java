package dev.currentsbridge.export.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.port.RejectSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The rejects queue on SQS. Each reject is one message:
 * {@code {"outcome","reason","detail","currents_event_type","origin","sqs_message_id","rejected_at",
 * "original","mixpanel_event"}} with {@code original} and {@code mixpanel_event} embedded as JSON when they
 * are JSON, else as text. Message attributes {@code reason} and {@code outcome} allow filtering without
 * parsing. An original too large for one message is cut and flagged {@code "original_truncated": true}.
 */
public final class SqsRejectSink implements RejectSink {

    private final Supplier<SqsClient> sqs;
    private final String queueUrl;

    public SqsRejectSink(SqsClient sqs, String queueUrl) {
        this(() -> sqs, queueUrl);
    }

    /** {@code sqs} is asked for the client when rejects are sent (or at priming), e.g. a {@code Lazy}. */
    public SqsRejectSink(Supplier<SqsClient> sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<RejectedEvent> send(List<RejectedEvent> rejects) {
        List<SqsMessages.Outgoing> messages = new ArrayList<>(rejects.size());
        for (RejectedEvent r : rejects) {
            messages.add(new SqsMessages.Outgoing(body(r),
                    Map.of("reason", r.reasonCode(), "outcome", r.outcome().label)));
        }
        List<RejectedEvent> failed = new ArrayList<>();
        for (int i : SqsMessages.send(sqs.get(), queueUrl, messages)) {
            failed.add(rejects.get(i));
        }
        return failed;
    }

    /** SnapStart priming: the SQS client and the reject serialisation, nothing sent. */
    public void prime() {
        sqs.get();
        RejectedEvent sample = RejectedEvent.malformed("warm", "malformed:warm", "warm-up", null, "sqs", "{\"warm\":1}");
        software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest.builder().queueUrl(queueUrl)
                .entries(software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder()
                        .id("0").messageBody(body(sample)).build())
                .build();
    }

    static String body(RejectedEvent r) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("outcome", r.outcome().label);
        o.put("reason", r.reasonCode());
        o.put("detail", r.detail());
        o.put("currents_event_type", r.currentsType());
        o.put("origin", r.origin());
        o.put("sqs_message_id", r.messageId());
        o.put("rejected_at", Instant.now().toString());
        putJsonOrText(o, "mixpanel_event", r.mixpanelEvent());
        putJsonOrText(o, "original", r.original());
        String body = o.toString();
        if (body.getBytes(StandardCharsets.UTF_8).length > SqsMessages.MAX_BODY_BYTES) {
            o.remove("mixpanel_event");
            String original = r.original() == null ? "" : r.original();
            int keep = Math.max(0, SqsMessages.MAX_BODY_BYTES / 2 - 4096);
            o.put("original", original.substring(0, Math.min(original.length(), keep / 4)));
            o.put("original_truncated", true);
            body = o.toString();
        }
        return body;
    }

    private static void putJsonOrText(ObjectNode o, String field, String value) {
        if (value == null) {
            o.putNull(field);
            return;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(value);
            if (n != null && n.isContainerNode()) {
                o.set(field, n);
                return;
            }
        } catch (Exception notJson) {
            // fall through: keep the text
        }
        o.put(field, value);
    }
}
