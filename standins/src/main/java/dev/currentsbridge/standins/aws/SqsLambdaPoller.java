package dev.currentsbridge.standins.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What Lambda's SQS event source mapping does, over a real queue: receive up to 10 messages as an
 * {@link SQSEvent}, and after the handler answers, delete the messages not listed in
 * {@code batchItemFailures} and make the listed ones visible again at once.
 */
public final class SqsLambdaPoller {

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final Map<String, String> receipts = new HashMap<>();

    public SqsLambdaPoller(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        String name = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.queueArn = "arn:aws:sqs:us-east-1:000000000000:" + name;
    }

    public SQSEvent receive(int max) {
        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max).waitTimeSeconds(0)
                .visibilityTimeout(60).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : got) {
            receipts.put(m.messageId(), m.receiptHandle());
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setMd5OfBody(m.md5OfBody());
            r.setEventSource("aws:sqs");
            r.setEventSourceArn(queueArn);
            r.setAwsRegion("us-east-1");
            Map<String, String> attrs = new HashMap<>();
            m.attributesAsStrings().forEach(attrs::put);
            r.setAttributes(attrs);
            Map<String, SQSEvent.MessageAttribute> mattrs = new HashMap<>();
            for (Map.Entry<String, MessageAttributeValue> a : m.messageAttributes().entrySet()) {
                SQSEvent.MessageAttribute ma = new SQSEvent.MessageAttribute();
                ma.setDataType(a.getValue().dataType());
                ma.setStringValue(a.getValue().stringValue());
                mattrs.put(a.getKey(), ma);
            }
            r.setMessageAttributes(mattrs);
            records.add(r);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    /** Applies the handler's answer to the queue, as Lambda does with ReportBatchItemFailures. */
    public void complete(SQSEvent event, SQSBatchResponse response) {
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
            failed.add(f.getItemIdentifier());
        }
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            String receipt = receipts.remove(m.getMessageId());
            if (failed.contains(m.getMessageId())) {
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receipt).visibilityTimeout(0));
            } else {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(receipt));
            }
        }
    }
}
