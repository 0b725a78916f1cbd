package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.port.RejectSink;
import dev.currentsbridge.export.port.RejectedEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Gives up the messages that would be returned on their last allowed receive (or too close to the end of the
 * queue's retention, see {@code RetryBudget#givesUp}): each goes whole to the rejects
 * queue ({@code retries_exhausted}, its body as the original, its retry reasons as the detail), and its events
 * count as {@code retries_exhausted} in the ledger, instead of SQS moving it silently to the dead-letter queue.
 * If the rejects queue refuses one, it stays returned: SQS then dead-letters it (the DLQ alarm fires).
 */
public final class RetryExhaustion {

    private static final Log LOG = Log.get(RetryExhaustion.class);
    private static final String ORIGIN = "sqs";

    private RetryExhaustion() {
    }

    /** @return the ids of the messages given up (stored in the rejects queue, no longer to be returned) */
    public static List<String> giveUp(List<QueueMessage> lastChance, EventLedger ledger, RejectSink sink) {
        if (lastChance.isEmpty()) {
            return List.of();
        }
        List<RejectedEvent> rejects = new ArrayList<>(lastChance.size());
        for (QueueMessage m : lastChance) {
            String age = m.age().isZero() ? "" : " (sent " + m.age().toHours() + " h ago)";
            String detail = "returned on each of " + m.receiveCount() + " receives" + age + "; last reasons: "
                    + String.join(",", ledger.retryReasons(m.id()));
            rejects.add(RejectedEvent.exhausted(m.id(), detail, ORIGIN, m.body()));
        }
        Set<RejectedEvent> failed = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            failed.addAll(sink.send(rejects));
        } catch (RuntimeException e) {
            failed.addAll(rejects);
        }
        List<String> givenUp = new ArrayList<>();
        for (RejectedEvent r : rejects) {
            if (failed.contains(r)) {
                LOG.error("rejects queue unavailable on a message's last receive: SQS will dead-letter it");
                continue;
            }
            long events = ledger.exhaust(r.messageId());
            givenUp.add(r.messageId());
            LOG.warn("message given up after its last allowed receive: its events are in the rejects queue",
                    "reason", r.reasonCode(), "events", events);
        }
        return givenUp;
    }
}
