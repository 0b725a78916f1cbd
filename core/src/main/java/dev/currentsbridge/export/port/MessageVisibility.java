package dev.currentsbridge.export.port;

import java.time.Duration;
import java.util.List;

/**
 * When the export queue shows a returned message again (SQS {@code ChangeMessageVisibility} with the receipt
 * handle of the current receive). Without it a returned message comes back after the queue's visibility timeout.
 */
public interface MessageVisibility {

    /** Keeps the queue's own visibility timeout (tests, local mode, the backfill). */
    MessageVisibility QUEUE_DEFAULT = delays -> List.of();

    /**
     * Hides each message for its delay, counted from now.
     *
     * @return the message ids whose delay could not be set (they come back after the queue's visibility timeout)
     */
    List<String> hide(List<Delay> delays);

    /**
     * @param queueArn the queue the message was received from (the event's {@code eventSourceARN})
     */
    record Delay(String messageId, String receiptHandle, String queueArn, Duration delay) {
    }
}
