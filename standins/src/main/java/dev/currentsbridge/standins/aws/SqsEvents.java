package dev.currentsbridge.standins.aws;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link SQSEvent} Lambda's SQS event source hands a function, built the one way for every stand-in that plays
 * the event source (ElasticMQ poller, simulated mapping, local mode's queue worker): system attributes as strings,
 * message attributes as {@code String} values.
 */
public final class SqsEvents {

    private SqsEvents() {
    }

    /** One record; {@code messageAttributes} maps a name to its string value. */
    public static SQSEvent.SQSMessage message(String messageId, String receiptHandle, String body,
                                              Map<String, String> attributes, Map<String, String> messageAttributes,
                                              String queueArn, String region) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(messageId);
        m.setReceiptHandle(receiptHandle);
        m.setBody(body);
        m.setAttributes(new HashMap<>(attributes));
        Map<String, SQSEvent.MessageAttribute> typed = new HashMap<>();
        messageAttributes.forEach((k, v) -> {
            SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
            a.setDataType("String");
            a.setStringValue(v);
            typed.put(k, a);
        });
        m.setMessageAttributes(typed);
        m.setEventSource("aws:sqs");
        m.setEventSourceArn(queueArn);
        m.setAwsRegion(region);
        return m;
    }

    public static SQSEvent of(List<SQSEvent.SQSMessage> records) {
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }
}
