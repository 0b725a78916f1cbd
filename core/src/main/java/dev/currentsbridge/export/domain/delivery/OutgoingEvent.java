package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.export.domain.CurrentsEvent;

/**
 * A mapped event on its way to Mixpanel, with what the ledger and the rejects queue need to account for it.
 *
 * @param messageId the SQS message it came in
 * @param origin    where it came from ({@code sqs}, {@code s3://bucket/key}), no personal data
 * @param source    the decoded Currents event (the "original event" of a reject)
 * @param insertId  its {@code $insert_id}, to match Mixpanel's {@code failed_records}
 * @param json      the exact Mixpanel JSON bytes
 */
public record OutgoingEvent(String messageId, String origin, CurrentsEvent source, String insertId, byte[] json) {

    public String currentsType() {
        return source == null ? null : source.type();
    }
}
