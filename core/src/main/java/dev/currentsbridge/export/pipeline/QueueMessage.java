package dev.currentsbridge.export.pipeline;

/**
 * One message of the export queue, as the pipeline reads it.
 *
 * @param eventTypeAttribute the SQS message attribute {@code event_type}, or null
 * @param receiveCount       how many times the queue has delivered it, this time included
 *                           ({@code ApproximateReceiveCount}; 1 when unknown)
 */
public record QueueMessage(String id, String body, String eventTypeAttribute, int receiveCount) {

    public QueueMessage(String id, String body, String eventTypeAttribute) {
        this(id, body, eventTypeAttribute, 1);
    }
}
