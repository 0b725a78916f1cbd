package dev.currentsbridge.export.pipeline;

/**
 * One message of the export queue, as the pipeline reads it.
 *
 * @param eventTypeAttribute the SQS message attribute {@code event_type}, or null
 */
public record QueueMessage(String id, String body, String eventTypeAttribute) {
}
