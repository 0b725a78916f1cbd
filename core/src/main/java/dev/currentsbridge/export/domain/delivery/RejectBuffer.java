package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.port.RejectSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Collects rejects and sends them to the rejects queue in groups. An event counts as rejected in the ledger
 * only once the queue has it; if the queue fails, the event counts as retry, so its message comes back and
 * nothing is dropped silently. Thread-safe.
 */
public final class RejectBuffer {

    private static final Log LOG = Log.get(RejectBuffer.class);
    public static final String QUEUE_UNAVAILABLE = "rejects_queue_unavailable";

    private final RejectSink sink;
    private final EventLedger ledger;
    private final int flushAt;
    private final List<RejectedEvent> pending = new ArrayList<>();

    public RejectBuffer(RejectSink sink, EventLedger ledger, int flushAt) {
        this.sink = sink;
        this.ledger = ledger;
        this.flushAt = Math.max(1, flushAt);
    }

    public synchronized void add(RejectedEvent r) {
        pending.add(r);
        if (pending.size() >= flushAt) {
            flush();
        }
    }

    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<RejectedEvent> batch = List.copyOf(pending);
        pending.clear();
        Set<RejectedEvent> failed = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            failed.addAll(sink.send(batch));
        } catch (RuntimeException e) {
            LOG.error("rejects queue unavailable", "error", e.getClass().getSimpleName(), "rejects", batch.size());
            failed.addAll(batch);
        }
        for (RejectedEvent r : batch) {
            if (failed.contains(r)) {
                ledger.record(r.messageId(), Outcome.RETRY, QUEUE_UNAVAILABLE);
            } else {
                ledger.record(r.messageId(), r.outcome(), r.reasonCode());
            }
        }
    }
}
