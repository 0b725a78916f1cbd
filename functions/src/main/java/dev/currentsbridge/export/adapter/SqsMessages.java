package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.lang.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Sends bodies with {@code SendMessageBatch}: 10 per call and under the 256 KB per-call payload limit. */
final class SqsMessages {

    /** SQS's limit for one message and for one batch call (body plus attributes). */
    static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    /** What a body may use, leaving room for the attributes we add. */
    static final int MAX_BODY_BYTES = MAX_PAYLOAD_BYTES - 2 * 1024;

    record Outgoing(String body, Map<String, String> attributes) {
        int bytes() {
            int n = body.getBytes(StandardCharsets.UTF_8).length;
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                n += a.getKey().length() + a.getValue().getBytes(StandardCharsets.UTF_8).length + "String".length();
            }
            return n;
        }
    }

    private SqsMessages() {
    }

    /** Returns the indexes (into {@code messages}) that were not accepted. */
    static List<Integer> send(SqsClient sqs, String queueUrl, List<Outgoing> messages) {
        boolean fifo = queueUrl.endsWith(".fifo");
        List<Integer> failed = new ArrayList<>();
        int i = 0;
        while (i < messages.size()) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            int start = i;
            int bytes = 0;
            while (i < messages.size() && entries.size() < 10
                    && (entries.isEmpty() || bytes + messages.get(i).bytes() <= MAX_PAYLOAD_BYTES)) {
                Outgoing m = messages.get(i);
                bytes += m.bytes();
                SendMessageBatchRequestEntry.Builder e = SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i)).messageBody(m.body());
                if (!m.attributes().isEmpty()) {
                    Map<String, MessageAttributeValue> attrs = new java.util.HashMap<>();
                    m.attributes().forEach((k, v) -> attrs.put(k,
                            MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
                    e.messageAttributes(attrs);
                }
                if (fifo) {
                    e.messageGroupId("currents-bridge").messageDeduplicationId(sha256(m.body()));
                }
                entries.add(e.build());
                i++;
            }
            try {
                SendMessageBatchResponse r = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                for (BatchResultErrorEntry f : r.failed()) {
                    failed.add(Integer.parseInt(f.id()));
                }
            } catch (SdkException e) {
                for (int k = start; k < i; k++) {
                    failed.add(k);
                }
            }
        }
        return failed;
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(Sha256.of(s));
    }
}
