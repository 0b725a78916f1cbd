package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.export.Backfill;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.port.MixpanelEngage;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.RejectSink;
import dev.currentsbridge.export.port.RejectedEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replays stored rejects through the export as the backfill runs it (the current mapping, the given Mixpanel
 * target): each reject's original is one input of a {@link Backfill}, named by the reject's id, so its outcome is
 * known per reject. A reject is accepted when every event of its original was imported; anything else keeps it,
 * with the verdict of this run (its new reason). Rejects of this run are collected here, not stored again: the
 * stored reject stays instead.
 */
final class RejectReplay {

    /** The verdict on one replayed reject: accepted (delete it) or kept with a reason. */
    record Verdict(StoredReject reject, boolean accepted, String reason) {
    }

    private final Map<String, String> newReasons = new ConcurrentHashMap<>();
    private final Backfill backfill;

    /** @param typeHint the Currents type of originals that carry none (null: such originals are rejected again) */
    RejectReplay(EventMapper mapper, MixpanelImport mixpanel, int concurrency, RetryPolicy policy, String typeHint) {
        this(mapper, mixpanel, null, concurrency, policy, typeHint);
    }

    /** @param engage where replayed profile updates go ({@code /engage}); null: as {@code /import} events */
    RejectReplay(EventMapper mapper, MixpanelImport mixpanel, MixpanelEngage engage, int concurrency,
                 RetryPolicy policy, String typeHint) {
        RejectSink collect = rejects -> {
            for (RejectedEvent r : rejects) {
                newReasons.merge(r.messageId(), r.reasonCode(), (a, b) -> a);
            }
            return List.of();
        };
        this.backfill = new Backfill(mapper, mixpanel, engage, collect, concurrency, policy, typeHint);
    }

    List<Verdict> replay(List<StoredReject> rejects) {
        Map<String, String> notReplayable = new LinkedHashMap<>();
        for (StoredReject r : rejects) {
            String why = whyNotReplayable(r);
            if (why != null) {
                notReplayable.put(r.id(), why);
                continue;
            }
            byte[] original = r.original().getBytes(StandardCharsets.UTF_8);
            try {
                // The reject's type, when it has one, goes where the backfill reads a type for events without one.
                String path = r.currentsType() == null ? "" : "event_type=" + r.currentsType();
                backfill.read(r.id(), path, () -> new ByteArrayInputStream(original));
            } catch (MalformedInputException | IOException e) {
                notReplayable.put(r.id(), "malformed:" + e.getMessage());
            }
        }
        backfill.finish();
        List<Verdict> verdicts = new ArrayList<>(rejects.size());
        for (StoredReject r : rejects) {
            verdicts.add(notReplayable.containsKey(r.id()) ? new Verdict(r, false, notReplayable.get(r.id())) : verdict(r));
        }
        backfill.close();
        return verdicts;
    }

    EventLedger.Totals totals() {
        return backfill.totals();
    }

    private Verdict verdict(StoredReject r) {
        long events = backfill.events(r.id());
        long imported = backfill.count(r.id(), Outcome.IMPORTED);
        if (events > 0 && imported == events) {
            return new Verdict(r, true, null);
        }
        if (newReasons.containsKey(r.id())) {
            return new Verdict(r, false, newReasons.get(r.id()));
        }
        if (backfill.count(r.id(), Outcome.RETRY) > 0) {
            return new Verdict(r, false, "not_delivered (Mixpanel unavailable: replay again later)");
        }
        if (backfill.count(r.id(), Outcome.SKIPPED) > 0) {
            return new Verdict(r, false, "skipped (not exported under the current settings)");
        }
        return new Verdict(r, false, "no_events (the original holds no event)");
    }

    private static String whyNotReplayable(StoredReject r) {
        if (r.original() == null || r.original().isBlank()) {
            return "not_replayable (no original event)";
        }
        if (r.truncated()) {
            return "not_replayable (the original was cut to fit the rejects queue)";
        }
        if (r.isObjectReference()) {
            return "not_replayable (an S3 object: export it with bridge export s3://...)";
        }
        return null;
    }
}
