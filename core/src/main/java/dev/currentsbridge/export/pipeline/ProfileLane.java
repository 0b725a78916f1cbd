package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.Batcher;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.delivery.EngageVerdict;
import dev.currentsbridge.export.domain.delivery.MixpanelDelivery;
import dev.currentsbridge.export.domain.delivery.OriginalEvent;
import dev.currentsbridge.export.domain.delivery.OutgoingEvent;
import dev.currentsbridge.export.domain.delivery.ReasonCodes;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.ProfileMapper;
import dev.currentsbridge.export.domain.mapping.ProfileTable;
import dev.currentsbridge.export.port.RejectedEvent;

/**
 * The second delivery lane of an {@link ExportRun}: {@code users.profile.Update} events, when selected, mapped by
 * the {@link ProfileMapper} to {@code /engage} {@code $set} updates and delivered by their own {@link Batcher}
 * (2000 updates, {@link BatchLimits#MIXPANEL_ENGAGE}) and {@link MixpanelDelivery} (answers read by
 * {@link EngageVerdict}) into the run's one ledger and rejects buffer: the same retries, 401 re-read, splits,
 * partial failures, reason codes and outcomes as the {@code /import} lane. An update Mixpanel applied counts as
 * {@link Outcome#IMPORTED}.
 */
final class ProfileLane implements AutoCloseable {

    private final ProfileMapper mapper = new ProfileMapper();
    private final MixpanelDelivery delivery;
    private final Batcher batcher;
    private final RejectBuffer rejects;
    private final EventLedger ledger;

    private ProfileLane(ExportSetup setup, Deadline deadline, DeliveryStats stats, EventLedger ledger,
                        RejectBuffer rejects) {
        this.rejects = rejects;
        this.ledger = ledger;
        this.delivery = new MixpanelDelivery(setup.engage(), EngageVerdict::of, stats, setup.retryPolicy(),
                setup.sleeper(), deadline, setup.settings(), ledger, rejects);
        this.batcher = new Batcher(BatchLimits.MIXPANEL_ENGAGE, delivery::submit);
    }

    /**
     * The lane when {@code EXPORT_EVENT_TYPES} selects {@code users.profile.Update} and the setup has an
     * {@code /engage} port; else null (the type is skipped as not selected, or, with no port, exported as an
     * {@code /import} event as before profiles had a lane).
     */
    static ProfileLane of(ExportSetup setup, Deadline deadline, DeliveryStats stats, EventLedger ledger,
                          RejectBuffer rejects) {
        if (setup.engage() == null || !setup.mapper().isSelected(ProfileTable.PROFILE_TYPE)) {
            return null;
        }
        return new ProfileLane(setup, deadline, stats, ledger, rejects);
    }

    static boolean handles(CurrentsEvent event) {
        return ProfileMapper.handles(event.type());
    }

    /** Maps one profile event and routes it: into an {@code /engage} batch, skipped by rule, or to the rejects. */
    void accept(CurrentsEvent event, String messageId, String origin) {
        switch (mapper.map(event)) {
            case ProfileMapper.ProfileUpdate update -> {
                OutgoingEvent out = new OutgoingEvent(messageId, origin, event, update.insertId(), update.json());
                if (batcher.fits(out)) {
                    batcher.add(out);
                } else {
                    rejects.add(RejectedEvent.malformed(messageId, "invalid:profile_update_too_large",
                            "the Mixpanel profile update is larger than Mixpanel's 1 MB limit", event.type(), origin,
                            OriginalEvent.json(event)));
                }
            }
            case ProfileMapper.ProfileSkipped skipped -> ledger.record(messageId, Outcome.SKIPPED,
                    skipped.reason().label);
            case ProfileMapper.ProfileInvalid invalid -> rejects.add(RejectedEvent.malformed(messageId,
                    ReasonCodes.of("invalid", invalid.reason()), invalid.reason(), event.type(), origin,
                    OriginalEvent.json(event)));
        }
    }

    /** Sends the partial batch (the caller then waits with {@link #awaitIdle}). */
    void flush() {
        batcher.flush();
    }

    void awaitIdle() {
        delivery.awaitIdle();
    }

    @Override
    public void close() {
        delivery.close();
    }
}
