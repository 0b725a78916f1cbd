package dev.currentsbridge.export.adapter;

import dev.currentsbridge.export.domain.input.HttpBatchSplitter;
import dev.currentsbridge.export.port.ExportQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The export queue on SQS: HTTP-connector batches split into {@code {"events":[...]}} messages under 256 KB. */
public final class SqsExportQueue implements ExportQueue {

    private final SqsClient sqs;
    private final String queueUrl;
    private final int maxBodyBytes;

    public SqsExportQueue(SqsClient sqs, String queueUrl) {
        this(sqs, queueUrl, SqsMessages.MAX_BODY_BYTES);
    }

    public SqsExportQueue(SqsClient sqs, String queueUrl, int maxBodyBytes) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public int maxEventBytes() {
        return HttpBatchSplitter.maxEventBytes(maxBodyBytes);
    }

    @Override
    public void enqueueEvents(List<String> eventJsons) {
        List<SqsMessages.Outgoing> messages = new ArrayList<>();
        for (String body : HttpBatchSplitter.split(eventJsons, maxBodyBytes)) {
            messages.add(new SqsMessages.Outgoing(body, Map.of()));
        }
        List<Integer> failed = SqsMessages.send(sqs, queueUrl, messages);
        if (!failed.isEmpty()) {
            throw new QueueUnavailableException("export queue refused " + failed.size() + " of " + messages.size()
                    + " messages", null);
        }
    }

    /** SnapStart priming: the message splitting, nothing sent. */
    public void prime() {
        HttpBatchSplitter.split(List.of("{}"), maxBodyBytes);
    }
}
