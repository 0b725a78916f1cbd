package dev.currentsbridge.export.domain.deletion;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.OriginalEvent;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.port.RejectedEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletion forwarding within one export run. Every event passes {@link #intercept} before it is mapped: a
 * {@code users.UserDeleteRequest} is taken (its external id looked up, put on the suppression list and queued
 * for Mixpanel), an event of a suppressed user is skipped ({@code deleted_user}), and any other event teaches
 * the identity map its Braze user id. {@link #flush} (after the run's imports are done, so that nothing of a
 * deleted user is imported after its deletion was asked) sends the queued ids, up to 2000 per request.
 *
 * <p>Ledger: a forwarded request is {@code skipped}/{@code deletion_requested} once Mixpanel accepted it; an
 * unknown Braze id is {@code skipped}/{@code deletion_unknown_user}; a request Mixpanel did not accept in time, or
 * state that could not be read or written, comes back ({@code retry}); a request Mixpanel refuses is rejected.
 */
public final class DeletionRun {

    public static final String DELETE_REQUEST_TYPE = "users.UserDeleteRequest";
    public static final String DELETED_USER = "deleted_user";
    public static final String UNKNOWN_USER = "deletion_unknown_user";
    public static final String REQUESTED = "deletion_requested";
    public static final String STATE_UNAVAILABLE = "deletion_state_unavailable";

    private static final Log LOG = Log.get(DeletionRun.class);

    private record Waiting(String messageId, String origin, CurrentsEvent event) {
    }

    private final DeletionForwarding f;
    private final EventLedger ledger;
    private final RejectBuffer rejects;
    private final DeletionSender sender;
    private final Map<String, List<Waiting>> queued = new LinkedHashMap<>();
    private boolean checked;

    DeletionRun(DeletionForwarding f, EventLedger ledger, RejectBuffer rejects, Deadline deadline,
                DeliverySettings settings) {
        this.f = f;
        this.ledger = ledger;
        this.rejects = rejects;
        this.sender = new DeletionSender(f, deadline, settings);
    }

    /** True when the event is accounted for here (and must not be mapped). */
    public boolean intercept(String messageId, String origin, CurrentsEvent event) {
        try {
            if (DELETE_REQUEST_TYPE.equals(event.type())) {
                requested(messageId, origin, event);
                return true;
            }
            String external = event.externalUserId();
            if (external == null || external.isBlank()) {
                return false;
            }
            if (f.store().suppressed(external)) {
                ledger.record(messageId, Outcome.SKIPPED, DELETED_USER);
                return true;
            }
            String brazeId = brazeUserId(event);
            if (brazeId != null) {
                f.identities().remember(brazeId, external);
            }
            return false;
        } catch (RuntimeException e) {
            // DynamoDB (or the state directory) failed: the event comes back rather than pass unchecked.
            LOG.warn("deletion state unavailable: the event will be redelivered", "error", e.getClass().getName());
            ledger.record(messageId, Outcome.RETRY, STATE_UNAVAILABLE);
            return true;
        }
    }

    private void requested(String messageId, String origin, CurrentsEvent event) {
        String brazeId = brazeUserId(event);
        if (brazeId == null) {
            rejects.add(RejectedEvent.malformed(messageId, "invalid:deletion_without_user_id",
                    "users.UserDeleteRequest without a user_id", event.type(), origin, OriginalEvent.json(event)));
            return;
        }
        var external = f.identities().externalId(brazeId);
        if (external.isEmpty()) {
            ledger.record(messageId, Outcome.SKIPPED, UNKNOWN_USER);
            return;
        }
        f.store().suppress(external.get());
        queued.computeIfAbsent(external.get(), k -> new ArrayList<>()).add(new Waiting(messageId, origin, event));
    }

    private static String brazeUserId(CurrentsEvent event) {
        Object v = event.fields().get("user_id");
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    /** Sends what is queued (up to 2000 ids a request) and asks the status of a few open tasks. */
    public void flush() {
        List<String> ids = new ArrayList<>(queued.keySet());
        for (int from = 0; from < ids.size(); from += DeletionForwarding.MAX_IDS_PER_REQUEST) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + DeletionForwarding.MAX_IDS_PER_REQUEST));
            DeletionSender.Result result = sender.send(chunk);
            for (String id : chunk) {
                for (Waiting w : queued.get(id)) {
                    account(w, result);
                }
            }
        }
        queued.clear();
        if (!checked) {
            checked = true;
            sender.checkTasks();
        }
    }

    private void account(Waiting w, DeletionSender.Result result) {
        switch (result) {
            case DeletionSender.Result.Accepted a -> ledger.record(w.messageId(), Outcome.SKIPPED, REQUESTED);
            case DeletionSender.Result.Retry r -> ledger.record(w.messageId(), Outcome.RETRY, r.reason());
            case DeletionSender.Result.Refused r -> rejects.add(new RejectedEvent(w.messageId(),
                    Outcome.REJECTED_BY_MIXPANEL, r.reason(), r.detail(), w.event().type(), w.origin(),
                    OriginalEvent.json(w.event()), null));
        }
    }
}
