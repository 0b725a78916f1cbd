package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.deletion.DeletionRun;
import dev.currentsbridge.export.domain.delivery.Batcher;
import dev.currentsbridge.export.domain.delivery.OriginalEvent;
import dev.currentsbridge.export.domain.delivery.OutgoingEvent;
import dev.currentsbridge.export.domain.delivery.ReasonCodes;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingResult;

/**
 * Maps each decoded event of one message (or one file of it) and routes it: into a Mixpanel batch, skipped by
 * rule, or to the rejects with its reason code. Made by {@link ExportRun#router}.
 */
public final class EventRouter implements EventSink {

    private static final Log LOG = Log.get(EventRouter.class);

    private final EventMapper mapper;
    private final String messageId;
    private final String origin;
    private final Batcher batcher;
    private final RejectBuffer rejects;
    private final EventLedger ledger;
    /** Deletion forwarding (delete requests, suppressed users, the identity map), or null when off. */
    private final DeletionRun deletions;
    private ReadFailureTracker stream;
    private ProfileLane profiles;

    EventRouter(EventMapper mapper, String messageId, String origin, Batcher batcher, RejectBuffer rejects,
                EventLedger ledger, DeletionRun deletions) {
        this.deletions = deletions;
        this.mapper = mapper;
        this.messageId = messageId;
        this.origin = origin;
        this.batcher = batcher;
        this.rejects = rejects;
        this.ledger = ledger;
    }

    /** Profile updates go to this lane ({@code /engage}) instead of {@code /import}; null: none. */
    EventRouter withProfiles(ProfileLane lane) {
        this.profiles = lane;
        return this;
    }

    @Override
    public void accept(CurrentsEvent event) {
        if (deletions != null && deletions.intercept(messageId, origin, event)) {
            return; // a delete request, or an event of a deleted user (profile updates included)
        }
        if (profiles != null && ProfileLane.handles(event)) {
            profiles.accept(event, messageId, origin);
            return;
        }
        switch (mapper.map(event)) {
            case MappingResult.Mapped mapped -> {
                OutgoingEvent out = new OutgoingEvent(messageId, origin, event, mapped.insertId(), mapped.json());
                if (batcher.fits(out)) {
                    batcher.add(out);
                } else {
                    rejects.add(RejectedEvent.malformed(messageId, "invalid:event_too_large",
                            "the Mixpanel event is larger than Mixpanel's 1 MB limit", event.type(), origin,
                            OriginalEvent.json(event)));
                }
            }
            case MappingResult.Skipped skipped -> ledger.record(messageId, Outcome.SKIPPED, skipped.reason().label);
            case MappingResult.Invalid invalid -> rejects.add(RejectedEvent.malformed(messageId,
                    ReasonCodes.of("invalid", invalid.reason()), invalid.reason(), event.type(), origin,
                    OriginalEvent.json(event)));
        }
    }

    /** Failures after {@code in} broke are the network's fault, not the file's. */
    void interruptedBy(ReadFailureTracker in) {
        this.stream = in;
    }

    @Override
    public void reject(DecodeFailure failure) {
        if (stream != null && stream.failed()) {
            LOG.warn("S3 object read interrupted: the message will be redelivered");
            ledger.record(messageId, Outcome.RETRY, S3FileReader.S3_UNAVAILABLE);
            return;
        }
        rejects.add(RejectedEvent.malformed(messageId, ReasonCodes.of("decode", failure.reason()), failure.reason(),
                null, origin, failure.raw()));
    }
}
