package dev.currentsbridge.export.adapter;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.export.pipeline.QueueMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * An SQS event of the export queue as the pipeline's input, and the pipeline's returned messages as SQS's
 * {@code batchItemFailures}.
 *
 * @param fifo the queue is FIFO (order must be kept: see {@code ExportPipeline})
 */
public record SqsExportBatch(List<QueueMessage> messages, boolean fifo) {

    public static SqsExportBatch of(SQSEvent event) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        List<QueueMessage> messages = new ArrayList<>(records.size());
        boolean fifo = false;
        for (SQSEvent.SQSMessage r : records) {
            messages.add(new QueueMessage(r.getMessageId(), r.getBody(), eventTypeAttribute(r)));
            fifo |= isFifo(r);
        }
        return new SqsExportBatch(messages, fifo);
    }

    /** Every message of the batch comes back. */
    public SQSBatchResponse returnAll() {
        return returning(messages.stream().map(QueueMessage::id).toList());
    }

    public static SQSBatchResponse returning(List<String> messageIds) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(messageIds.size());
        for (String id : messageIds) {
            failures.add(new SQSBatchResponse.BatchItemFailure(id));
        }
        return new SQSBatchResponse(failures);
    }

    private static String eventTypeAttribute(SQSEvent.SQSMessage r) {
        if (r.getMessageAttributes() == null) {
            return null;
        }
        SQSEvent.MessageAttribute a = r.getMessageAttributes().get("event_type");
        return a == null ? null : a.getStringValue();
    }

    private static boolean isFifo(SQSEvent.SQSMessage r) {
        return (r.getEventSourceArn() != null && r.getEventSourceArn().endsWith(".fifo"))
                || (r.getAttributes() != null && r.getAttributes().containsKey("MessageGroupId"));
    }
}
