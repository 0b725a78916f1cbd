package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.deletion.DeletionForwarding;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.port.MixpanelEngage;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.RejectSink;

/**
 * What every export run is built from: the mapping, the Mixpanel ({@code /import}; {@code /engage}, null when
 * profiles are not delivered) and rejects ports and the delivery settings.
 * The Lambda ({@link ExportPipeline}) and the backfill ({@code bridge export}) start their runs from one.
 *
 * @param engage    Mixpanel {@code /engage} for profile updates, or null: {@code users.profile.Update}, if selected,
 *                  travels as an {@code /import} event
 * @param deletions forwarding of Braze user deletions ({@code FORWARD_DELETIONS}), or null: off
 */
public record ExportSetup(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, RetryPolicy retryPolicy,
                          Sleeper sleeper, DeliverySettings settings, BatchLimits limits, MixpanelEngage engage,
                          DeletionForwarding deletions) {

    /** Without {@code /engage} and without deletion forwarding. */
    public ExportSetup(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, RetryPolicy retryPolicy,
                       Sleeper sleeper, DeliverySettings settings, BatchLimits limits) {
        this(mapper, mixpanel, rejectSink, retryPolicy, sleeper, settings, limits, null, null);
    }

    /** The same setup, with profile updates ({@code users.profile.Update}, when selected) sent to {@code engage}. */
    public ExportSetup withEngage(MixpanelEngage engage) {
        return new ExportSetup(mapper, mixpanel, rejectSink, retryPolicy, sleeper, settings, limits, engage, deletions);
    }

    /** The same setup forwarding deletions through {@code forwarding} (null: off). */
    public ExportSetup withDeletions(DeletionForwarding forwarding) {
        return new ExportSetup(mapper, mixpanel, rejectSink, retryPolicy, sleeper, settings, limits, engage, forwarding);
    }

    /**
     * @param deadline        when the run must have finished its requests ({@link Deadline#none()}: never)
     * @param rejectsPerFlush how many rejects are buffered before they are sent to the rejects sink
     */
    public ExportRun start(Deadline deadline, int rejectsPerFlush) {
        return new ExportRun(this, deadline, rejectsPerFlush);
    }
}
