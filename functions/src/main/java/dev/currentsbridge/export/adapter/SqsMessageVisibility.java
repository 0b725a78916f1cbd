package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.export.port.MessageVisibility;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * {@link MessageVisibility} on SQS: {@code ChangeMessageVisibilityBatch} (10 entries a call) with the receipt
 * handles of the current receive. The queue URL comes from the event's queue ARN through {@code GetQueueUrl}
 * (once per container), so no configuration names the export queue to its own consumer.
 */
public final class SqsMessageVisibility implements MessageVisibility {

    private static final Log LOG = Log.get(SqsMessageVisibility.class);

    private final Supplier<SqsClient> sqs;
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();

    /** {@code sqs} is asked for the client when a message is returned, e.g. a {@code Lazy}. */
    public SqsMessageVisibility(Supplier<SqsClient> sqs) {
        this.sqs = sqs;
    }

    @Override
    public List<String> hide(List<Delay> delays) {
        Map<String, List<Delay>> byQueue = new LinkedHashMap<>();
        for (Delay d : delays) {
            byQueue.computeIfAbsent(d.queueArn() == null ? "" : d.queueArn(), q -> new ArrayList<>()).add(d);
        }
        List<String> failed = new ArrayList<>();
        byQueue.forEach((arn, list) -> failed.addAll(hide(arn, list)));
        return failed;
    }

    private List<String> hide(String queueArn, List<Delay> delays) {
        List<String> failed = new ArrayList<>();
        String url;
        try {
            url = queueUrl(queueArn);
        } catch (SdkException | IllegalArgumentException e) {
            LOG.warn("cannot find the export queue to delay returned messages", "error", e.getClass().getSimpleName());
            return delays.stream().map(Delay::messageId).toList();
        }
        for (int start = 0; start < delays.size(); start += 10) {
            List<Delay> chunk = delays.subList(start, Math.min(delays.size(), start + 10));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                Delay d = chunk.get(i);
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(d.receiptHandle()).visibilityTimeout((int) d.delay().toSeconds()).build());
            }
            try {
                ChangeMessageVisibilityBatchResponse r = sqs.get().changeMessageVisibilityBatch(b -> b.queueUrl(url)
                        .entries(entries));
                for (BatchResultErrorEntry e : r.failed()) {
                    failed.add(chunk.get(Integer.parseInt(e.id())).messageId());
                    LOG.warn("visibility of a returned message not changed", "code", e.code());
                }
            } catch (SdkException e) {
                LOG.warn("visibility of returned messages not changed", "error", e.getClass().getSimpleName(),
                        "messages", chunk.size());
                chunk.forEach(d -> failed.add(d.messageId()));
            }
        }
        return failed;
    }

    private String queueUrl(String queueArn) {
        String cached = queueUrls.get(queueArn);
        if (cached != null) {
            return cached;
        }
        String[] parts = queueArn.split(":");
        if (parts.length < 6) {
            throw new IllegalArgumentException("not an SQS queue ARN");
        }
        String account = parts[4];
        String name = parts[5];
        String url = sqs.get().getQueueUrl(b -> b.queueName(name).queueOwnerAWSAccountId(account)).queueUrl();
        queueUrls.put(queueArn, url);
        return url;
    }
}
