package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.deletion.DeletionRun;
import dev.currentsbridge.export.domain.delivery.Batcher;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.delivery.MixpanelDelivery;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;

/**
 * One export run: the {@link EventLedger} that accounts for every event, the rejects buffer, the concurrent
 * Mixpanel delivery and the batcher feeding it, and the {@code /engage} lane of profile updates ({@link ProfileLane})
 * when profiles are selected. Events enter through {@link #router}; {@link #drain} waits
 * until everything routed so far is imported, rejected or marked for redelivery.
 */
public final class ExportRun implements AutoCloseable {

    private final EventMapper mapper;
    private final EventLedger ledger = new EventLedger();
    private final RejectBuffer rejects;
    private final MixpanelDelivery delivery;
    private final Batcher batcher;
    /** The {@code /engage} lane of profile updates; null when profiles are not exported. */
    private final ProfileLane profiles;
    /** Deletion forwarding, or null when off. */
    private final DeletionRun deletions;

    ExportRun(ExportSetup setup, Deadline deadline, int rejectsPerFlush) {
        this.mapper = setup.mapper();
        this.rejects = new RejectBuffer(setup.rejectSink(), ledger, rejectsPerFlush);
        this.delivery = new MixpanelDelivery(setup.mixpanel(), setup.retryPolicy(), setup.sleeper(), deadline,
                setup.settings(), ledger, rejects);
        this.batcher = new Batcher(setup.limits(), delivery::submit);
        this.profiles = ProfileLane.of(setup, deadline, delivery.stats(), ledger, rejects);
        this.deletions = setup.deletions() == null ? null
                : setup.deletions().start(ledger, rejects, deadline, setup.settings());
    }

    /** Starts accounting for one message (a queue message, or a file of the backfill). */
    public void open(String messageId) {
        ledger.open(messageId);
    }

    /** Maps and routes the events of {@code messageId}; {@code origin} names where they came from (rejects). */
    public EventRouter router(String messageId, String origin) {
        return new EventRouter(mapper, messageId, origin, batcher, rejects, ledger, deletions).withProfiles(profiles);
    }

    /** A whole message (or file) that can never be imported. */
    void reject(RejectedEvent rejected) {
        rejects.add(rejected);
    }

    /** The message must come back (its events are safe to import again: {@code $insert_id} is stable). */
    void retry(String messageId, String reason) {
        ledger.record(messageId, Outcome.RETRY, reason);
    }

    /** Sends what is still batched, waits for every request and stores the rejects. */
    public void drain() {
        batcher.flush();
        if (profiles != null) {
            profiles.flush();
            profiles.awaitIdle();
        }
        delivery.awaitIdle();
        if (deletions != null) {
            deletions.flush(); // after the imports: nothing of a deleted user is imported after its deletion
        }
        rejects.flush();
    }

    public EventLedger ledger() {
        return ledger;
    }

    /** Requests, retries and splits of both lanes ({@code /import} and {@code /engage}). */
    public DeliveryStats stats() {
        return delivery.stats();
    }

    @Override
    public void close() {
        if (profiles != null) {
            profiles.close();
        }
        delivery.close();
    }
}
