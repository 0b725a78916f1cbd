package dev.currentsbridge.standins.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What Lambda's SQS event source mapping does, over a real queue: receive up to 10 messages as an
 * {@link SQSEvent}, and after the handler answers, delete the messages not listed in {@code batchItemFailures}.
 *
 * <p>Two ways with the listed ones: {@link #SqsLambdaPoller(SqsClient, String)} (tests that drive redelivery by
 * hand) receives with a 60 s visibility and makes them visible again at once; {@link #asLambda} does what Lambda
 * does: receives with the queue's own visibility timeout and leaves failed messages as they are, so they come back
 * when their visibility runs out, or when the handler itself set it ({@code ChangeMessageVisibility}). With
 * {@link #invoke}, a handler that throws (or names a message it was not given) fails the whole batch: nothing is
 * deleted and the caller learns of the function error, on which Lambda backs off.
 */
public final class SqsLambdaPoller {

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final boolean asLambda;
    private final Map<String, String> receipts = new HashMap<>();

    public SqsLambdaPoller(SqsClient sqs, String queueUrl) {
        this(sqs, queueUrl, false);
    }

    private SqsLambdaPoller(SqsClient sqs, String queueUrl, boolean asLambda) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.asLambda = asLambda;
        String name = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.queueArn = "arn:aws:sqs:us-east-1:000000000000:" + name;
    }

    /** Lambda's own semantics: the queue's visibility timeout, failures left with the visibility they have. */
    public static SqsLambdaPoller asLambda(SqsClient sqs, String queueUrl) {
        return new SqsLambdaPoller(sqs, queueUrl, true);
    }

    /** One invocation as the event source mapping makes it (empty receive: no invocation, {@code received} 0). */
    public record Invocation(int received, int deleted, int failed, boolean functionError, long durationNanos) {
    }

    /**
     * Receives up to {@code max} messages (long polling {@code waitSeconds}), invokes {@code function} with them and
     * applies its answer. A thrown exception, or a {@code batchItemFailures} entry naming no message of the batch,
     * is a function error: the whole batch stays in the queue untouched.
     */
    public Invocation invoke(int max, int waitSeconds, Function<SQSEvent, SQSBatchResponse> function) {
        SQSEvent event = receive(max, waitSeconds);
        int n = event.getRecords().size();
        if (n == 0) {
            return new Invocation(0, 0, 0, false, 0);
        }
        long started = System.nanoTime();
        SQSBatchResponse response;
        try {
            response = function.apply(event);
        } catch (RuntimeException e) {
            forget(event);
            return new Invocation(n, 0, n, true, System.nanoTime() - started);
        }
        long duration = System.nanoTime() - started;
        Set<String> ids = new HashSet<>();
        event.getRecords().forEach(m -> ids.add(m.getMessageId()));
        int failed = 0;
        if (response != null && response.getBatchItemFailures() != null) {
            for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
                if (f == null || !ids.contains(f.getItemIdentifier())) {
                    forget(event);
                    return new Invocation(n, 0, n, true, duration);
                }
                failed++;
            }
        }
        complete(event, response == null ? new SQSBatchResponse(List.of()) : response);
        return new Invocation(n, n - failed, failed, false, duration);
    }

    public SQSEvent receive(int max) {
        return receive(max, 0);
    }

    public SQSEvent receive(int max, int waitSeconds) {
        List<Message> got = sqs.receiveMessage(b -> {
            b.queueUrl(queueUrl).maxNumberOfMessages(max).waitTimeSeconds(waitSeconds).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL);
            if (!asLambda) {
                b.visibilityTimeout(60);
            }
        }).messages();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : got) {
            receipts.put(m.messageId(), m.receiptHandle());
            Map<String, String> messageAttributes = new HashMap<>();
            m.messageAttributes().forEach((k, v) -> messageAttributes.put(k, v.stringValue()));
            SQSEvent.SQSMessage r = SqsEvents.message(m.messageId(), m.receiptHandle(), m.body(), m.attributesAsStrings(),
                    messageAttributes, queueArn, "us-east-1");
            r.setMd5OfBody(m.md5OfBody());
            records.add(r);
        }
        return SqsEvents.of(records);
    }

    /** Lambda after a function error: the batch's messages stay as they are (they come back when visible). */
    private void forget(SQSEvent event) {
        event.getRecords().forEach(m -> receipts.remove(m.getMessageId()));
    }

    /** Applies the handler's answer to the queue, as Lambda does with ReportBatchItemFailures. */
    public void complete(SQSEvent event, SQSBatchResponse response) {
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : response.getBatchItemFailures()) {
            failed.add(f.getItemIdentifier());
        }
        List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            String receipt = receipts.remove(m.getMessageId());
            if (failed.contains(m.getMessageId())) {
                if (asLambda) {
                    continue;
                }
                sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receipt).visibilityTimeout(0));
            } else {
                deletes.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(deletes.size()))
                        .receiptHandle(receipt).build());
            }
        }
        if (!deletes.isEmpty()) {
            // Lambda deletes a batch's successes with one DeleteMessageBatch (at most 10: one receive's worth)
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(deletes));
        }
    }
}
