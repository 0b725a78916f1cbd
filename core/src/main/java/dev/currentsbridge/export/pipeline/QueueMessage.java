package dev.currentsbridge.export.pipeline;

import java.time.Duration;

/**
 * One message of the export queue, as the pipeline reads it.
 *
 * @param eventTypeAttribute the SQS message attribute {@code event_type}, or null
 * @param receiveCount       how many times the queue has delivered it, this time included
 *                           ({@code ApproximateReceiveCount}; 1 when unknown)
 * @param age                how long ago it was sent, at this receive (SQS {@code SentTimestamp}; zero when
 *                           unknown): the queue's retention counts from the send
 */
public record QueueMessage(String id, String body, String eventTypeAttribute, int receiveCount, Duration age) {

    public QueueMessage {
        age = age == null || age.isNegative() ? Duration.ZERO : age;
    }

    public QueueMessage(String id, String body, String eventTypeAttribute, int receiveCount) {
        this(id, body, eventTypeAttribute, receiveCount, Duration.ZERO);
    }

    public QueueMessage(String id, String body, String eventTypeAttribute) {
        this(id, body, eventTypeAttribute, 1);
    }
}
