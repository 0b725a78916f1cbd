package dev.currentsbridge.export.adapter;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.export.pipeline.QueueMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An SQS event of the export queue as the pipeline's input, and the pipeline's returned messages as SQS's
 * {@code batchItemFailures} and as the visibility delays of their redelivery.
 *
 * @param fifo the queue is FIFO (order must be kept: see {@code ExportPipeline})
 */
public record SqsExportBatch(List<QueueMessage> messages, boolean fifo, Map<String, SQSEvent.SQSMessage> records) {

    /** @param now the time of this receive, to age each message from its {@code SentTimestamp} (null: unknown) */
    public static SqsExportBatch of(SQSEvent event, Instant now) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        List<QueueMessage> messages = new ArrayList<>(records.size());
        Map<String, SQSEvent.SQSMessage> byId = new HashMap<>();
        boolean fifo = false;
        for (SQSEvent.SQSMessage r : records) {
            messages.add(new QueueMessage(r.getMessageId(), r.getBody(), eventTypeAttribute(r), receiveCount(r),
                    age(r, now)));
            byId.put(r.getMessageId(), r);
            fifo |= isFifo(r);
        }
        return new SqsExportBatch(messages, fifo, byId);
    }

    public static SQSBatchResponse returning(List<String> messageIds) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>(messageIds.size());
        for (String id : messageIds) {
            failures.add(new SQSBatchResponse.BatchItemFailure(id));
        }
        return new SQSBatchResponse(failures);
    }

    /** How long each returned message stays hidden: the budget's delay for its receive count and cause. */
    public List<MessageVisibility.Delay> delays(List<String> returned, Function<String, RetryCause> cause,
                                                RetryBudget budget) {
        List<MessageVisibility.Delay> delays = new ArrayList<>(returned.size());
        Set<String> wanted = new HashSet<>(returned);
        for (QueueMessage m : messages) {
            SQSEvent.SQSMessage r = records.get(m.id());
            if (r != null && r.getReceiptHandle() != null && wanted.contains(m.id())) {
                delays.add(new MessageVisibility.Delay(m.id(), r.getReceiptHandle(), r.getEventSourceArn(),
                        budget.delay(m.receiveCount(), cause.apply(m.id()))));
            }
        }
        return delays;
    }

    private static int receiveCount(SQSEvent.SQSMessage r) {
        String count = r.getAttributes() == null ? null : r.getAttributes().get("ApproximateReceiveCount");
        try {
            return count == null ? 1 : Math.max(1, Integer.parseInt(count.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Since {@code SentTimestamp} (epoch milliseconds, as SQS and Lambda's event carry it); zero when unknown. */
    private static Duration age(SQSEvent.SQSMessage r, Instant now) {
        String sent = r.getAttributes() == null ? null : r.getAttributes().get("SentTimestamp");
        if (now == null || sent == null) {
            return Duration.ZERO;
        }
        try {
            Duration age = Duration.between(Instant.ofEpochMilli(Long.parseLong(sent.trim())), now);
            return age.isNegative() ? Duration.ZERO : age;
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
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
