package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.CliException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The deployed rejects queue. Reading receives the messages (held invisible for {@code hold}); what is not
 * deleted by its receipt handle is released (visibility 0) so the queue keeps it, as before.
 */
final class SqsRejectStore implements RejectStore {

    private final SqsClient sqs;
    private final String queueUrl;
    private final Duration hold;

    SqsRejectStore(SqsClient sqs, String queueUrl, Duration hold) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.hold = hold;
    }

    @Override
    public String describe() {
        return "rejects queue " + queueUrl;
    }

    @Override
    public List<StoredReject> read(int max) {
        List<StoredReject> all = new ArrayList<>();
        try {
            while (all.size() < max) {
                int n = Math.min(10, max - all.size());
                // A 1 s long poll asks every SQS server, so an empty answer means the queue has no visible message.
                ReceiveMessageResponse r = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(n)
                        .waitTimeSeconds(1).visibilityTimeout((int) hold.toSeconds()));
                if (!r.hasMessages() || r.messages().isEmpty()) {
                    break;
                }
                for (Message m : r.messages()) {
                    all.add(StoredReject.parse(m.messageId(), m.receiptHandle(), m.body()));
                }
            }
        } catch (SdkException e) {
            release(all);
            throw new CliException(describe() + ": " + Queues.firstLine(e.getMessage()));
        }
        return all;
    }

    @Override
    public int delete(List<StoredReject> rejects) {
        int deleted = 0;
        for (int i = 0; i < rejects.size(); i += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            List<StoredReject> group = rejects.subList(i, Math.min(rejects.size(), i + 10));
            for (int j = 0; j < group.size(); j++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(j))
                        .receiptHandle(group.get(j).handle()).build());
            }
            DeleteMessageBatchResponse r = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            deleted += r.successful().size();
        }
        return deleted;
    }

    @Override
    public void release(List<StoredReject> rejects) {
        for (int i = 0; i < rejects.size(); i += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            List<StoredReject> group = rejects.subList(i, Math.min(rejects.size(), i + 10));
            for (int j = 0; j < group.size(); j++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(j))
                        .receiptHandle(group.get(j).handle()).visibilityTimeout(0).build());
            }
            try {
                sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                // Not released: they become visible again by themselves when the hold ends.
            }
        }
    }

    @Override
    public void close() {
        sqs.close();
    }
}
