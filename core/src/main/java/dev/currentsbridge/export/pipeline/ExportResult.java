package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import java.util.List;

/** What one invocation did; {@code returnedMessageIds} go into {@code batchItemFailures}. */
public record ExportResult(EventLedger ledger, List<String> returnedMessageIds, DeliveryStats stats) {

    /** Writes the EMF counts (see {@link ExportMetrics}). */
    public void writeMetrics(Metrics m) {
        ExportMetrics.write(m, ledger.totals(), returnedMessageIds.size(), stats);
    }
}
