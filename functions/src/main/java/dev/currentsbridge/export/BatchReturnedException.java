package dev.currentsbridge.export;

/**
 * Thrown by the export function after it returned every message of a batch for a retryable cause and set each
 * message's redelivery delay: a function error is what makes Lambda's SQS poller back off (with
 * {@code ReportBatchItemFailures}, item failures alone never slow it down), and it shows in the {@code Errors}
 * metric. Lambda then leaves every message of the batch in the queue, which is what the response would have
 * said anyway, with the visibility the function set. Carries no personal data; no stack trace (not a bug).
 */
public final class BatchReturnedException extends RuntimeException {

    public BatchReturnedException(String message) {
        super(message, null, false, false);
    }
}
