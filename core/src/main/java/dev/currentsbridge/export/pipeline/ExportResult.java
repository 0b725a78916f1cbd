package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import java.util.List;
import java.util.function.Function;

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
        return causes().apply(messageId);
    }

    /**
     * {@link #cause} for every returned message of the batch, the batch's cause computed once (a batch returned
     * whole would otherwise scan every returned message's reasons for each of them).
     */
    public Function<String, RetryCause> causes() {
        RetryCause batch = RetryCause.TRANSIENT;
        for (String id : returnedMessageIds) {
            if (RetryCause.of(ledger.retryReasons(id)) == RetryCause.CONFIGURATION) {
                batch = RetryCause.CONFIGURATION;
                break;
            }
        }
        RetryCause ofBatch = batch;
        return messageId -> {
            RetryCause own = RetryCause.of(ledger.retryReasons(messageId));
            return own == RetryCause.CONFIGURATION || !ledger.isDeferred(messageId) ? own : ofBatch;
        };
    }

    /** Every message of the batch came back (none imported, rejected, skipped or given up). */
    public boolean everyMessageReturned() {
        int messages = ledger.messageIds().size();
        return messages > 0 && returnedMessageIds.size() == messages;
    }
}
