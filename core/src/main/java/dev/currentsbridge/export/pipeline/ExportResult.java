package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import java.util.List;

/**
 * What one invocation did; {@code returnedMessageIds} go into {@code batchItemFailures};
 * {@code exhaustedMessageIds} were given up on their last allowed receive (in the rejects queue, not returned).
 */
public record ExportResult(EventLedger ledger, List<String> returnedMessageIds, List<String> exhaustedMessageIds,
                           DeliveryStats stats) {

    public ExportResult(EventLedger ledger, List<String> returnedMessageIds, DeliveryStats stats) {
        this(ledger, returnedMessageIds, List.of(), stats);
    }

    /** Writes the EMF counts (see {@link ExportMetrics}). */
    public void writeMetrics(Metrics m) {
        ExportMetrics.write(m, ledger.totals(), returnedMessageIds.size(), exhaustedMessageIds.size(), stats);
    }

    /**
     * Why a returned message comes back. A message returned unread (deadline, FIFO order) shares the cause of
     * the batch: a configuration error anywhere in it makes every returned message wait on the slow clock.
     */
    public RetryCause cause(String messageId) {
        RetryCause own = RetryCause.of(ledger.retryReasons(messageId));
        if (own == RetryCause.CONFIGURATION || !ledger.isDeferred(messageId)) {
            return own;
        }
        for (String id : returnedMessageIds) {
            if (RetryCause.of(ledger.retryReasons(id)) == RetryCause.CONFIGURATION) {
                return RetryCause.CONFIGURATION;
            }
        }
        return RetryCause.TRANSIENT;
    }

    /** Every message of the batch came back (none imported, rejected, skipped or given up). */
    public boolean everyMessageReturned() {
        int messages = ledger.messageIds().size();
        return messages > 0 && returnedMessageIds.size() == messages;
    }
}
