package dev.currentsbridge.export.port;

import dev.currentsbridge.export.domain.ledger.Outcome;

/**
 * One event (or one unreadable message or file) that will never be imported.
 *
 * @param messageId     the SQS message it came in (ledger key)
 * @param outcome       {@link Outcome#REJECTED_BY_MIXPANEL}, {@link Outcome#REJECTED_MALFORMED} or
 *                      {@link Outcome#RETRIES_EXHAUSTED}
 * @param reasonCode    short, bounded reason for metrics and logs, e.g. {@code mixpanel:properties.time}
 * @param detail        the full reason (Mixpanel's message); goes to the rejects queue only, never to logs
 * @param currentsType  the Currents event type when known, else null
 * @param origin        where it came from, e.g. {@code sqs} or {@code s3://bucket/key}, without personal data
 * @param original      the original event (or message body) as text, for replay or inspection
 * @param mixpanelEvent the Mixpanel JSON that was sent, when there was one, else null
 */
public record RejectedEvent(String messageId, Outcome outcome, String reasonCode, String detail, String currentsType,
                            String origin, String original, String mixpanelEvent) {

    public RejectedEvent {
        if (outcome != Outcome.REJECTED_BY_MIXPANEL && outcome != Outcome.REJECTED_MALFORMED
                && outcome != Outcome.RETRIES_EXHAUSTED) {
            throw new IllegalArgumentException("not a reject outcome: " + outcome);
        }
    }

    /**
     * A whole queue message given up on its last allowed receive: {@code original} is its body as received, so
     * sending it to the export queue again replays every event it holds.
     *
     * @param detail why it kept coming back (the retry reasons), never personal data
     */
    public static RejectedEvent exhausted(String messageId, String detail, String origin, String original) {
        return new RejectedEvent(messageId, Outcome.RETRIES_EXHAUSTED, Outcome.RETRIES_EXHAUSTED.label, detail, null,
                origin, original, null);
    }

    public static RejectedEvent malformed(String messageId, String reasonCode, String detail, String currentsType,
                                          String origin, String original) {
        return new RejectedEvent(messageId, Outcome.REJECTED_MALFORMED, reasonCode, detail, currentsType, origin,
                original, null);
    }
}
