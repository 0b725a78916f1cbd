package dev.currentsbridge.export.domain.ledger;

/** The one bucket every input event ends in. */
public enum Outcome {
    /** Accepted by Mixpanel. */
    IMPORTED("imported"),
    /** Listed in Mixpanel's {@code failed_records} (or refused alone); sent to the rejects queue. */
    REJECTED_BY_MIXPANEL("rejected_by_mixpanel"),
    /** Unreadable or invalid before it reached Mixpanel; sent to the rejects queue. */
    REJECTED_MALFORMED("rejected_malformed"),
    /**
     * Still not delivered on the last receive the export queue allows (a Mixpanel or credentials outage longer
     * than the retry budget): sent to the rejects queue with reason {@code retries_exhausted} and the original
     * message, instead of being parked silently in the dead-letter queue.
     */
    RETRIES_EXHAUSTED("retries_exhausted"),
    /** Not exported by a documented rule (no external_user_id, type not selected). */
    SKIPPED("skipped"),
    /** Not finished in this invocation: its SQS message is returned for redelivery. */
    RETRY("retry");

    public final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** Outcomes after which the event needs nothing more: the message may be deleted. */
    public boolean isFinal() {
        return this != RETRY;
    }
}
