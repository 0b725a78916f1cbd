package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.domain.postback.MixpanelWebhook;
import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.PostbackLog.PageReceipt;
import dev.currentsbridge.cohorts.port.PostbackLog;
import dev.currentsbridge.common.lang.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Stores authenticated, parsed postbacks. Nothing here touches member items: postbacks append idempotent
 * records (a change batch or a session page) that the refresh folds into membership, so a re-sent postback
 * finds its record already there and changes nothing.
 */
public final class PostbackService {

    /** How long pages and session-scoped change records are kept: covers Mixpanel's restarts and resyncs. */
    public static final Duration SESSION_RECORD_TTL = Duration.ofDays(3);
    /**
     * How long a change without a session id (Mixpanel add/remove without one, the Braze partner shape) is kept
     * for dedupe: longer than Mixpanel's 60-second retry burst. Such changes are numbered by the cohort's postback
     * sequence ({@link #recordNumbered}), so an identical but genuine later change (add, remove, add again within
     * minutes) is stored; only a re-send of the cohort's latest postback is a duplicate.
     */
    public static final Duration SESSIONLESS_DEDUPE_WINDOW = Duration.ofMinutes(10);

    private final PostbackLog postbacks;
    private final CohortRegistry registry;
    private final CohortSettings settings;
    private final Clock clock;

    public PostbackService(PostbackLog postbacks, CohortRegistry registry, CohortSettings settings, Clock clock) {
        this.postbacks = postbacks;
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
    }

    /** What a postback did: {@code stored} false means it was a re-send and nothing changed. */
    public record Receipt(boolean stored, int members, int skipped) {
    }

    /**
     * Refuses (403) a postback that a key bound to Mixpanel project {@code boundProject} may not send: a webhook
     * naming another project or none, or a partner change to a cohort recorded under another project (the partner
     * shape names no project; a cohort not yet known, or known without a project, is accepted). No-op when the
     * key is bound to no project.
     */
    public void checkProject(String boundProject, String cohortId, String namedProject, boolean partnerShape) {
        if (boundProject == null) {
            return;
        }
        String project = partnerShape
                ? registry.findCohort(cohortId).map(c -> c.projectId()).orElse(boundProject)
                : namedProject;
        if (project == null && partnerShape) {
            return;
        }
        if (!boundProject.equals(project)) {
            throw new InvalidPostback(403, "this data import key accepts postbacks for Mixpanel project "
                    + boundProject + " only" + (partnerShape ? "; cohort " + cohortId + " belongs to another project"
                    : project == null ? "; the postback names no mixpanel_project_id" : ", not " + project));
        }
    }

    public Receipt acceptMixpanel(MixpanelWebhook m) {
        Instant now = clock.instant();
        boolean stored;
        if (m.action() == MixpanelWebhook.Action.MEMBERS) {
            SessionPage page = new SessionPage(m.cohortId(), m.sessionId(), m.pageIndex(), m.totalPages(), m.members(),
                    now, now.plus(SESSION_RECORD_TTL));
            PageReceipt r = postbacks.recordPage(page, now.plus(SESSION_RECORD_TTL), now);
            if (r == PageReceipt.CONFLICT) {
                throw InvalidPostback.badRequest("page_info.total_pages differs from earlier pages of session "
                        + "(mixpanel_session_id) for this cohort");
            }
            stored = r == PageReceipt.STORED;
        } else {
            boolean add = m.action() == MixpanelWebhook.Action.ADD_MEMBERS;
            String key = changeKey(m.members(), "mixpanel", m.cohortId(), m.action().wire(), m.sessionId(),
                    Integer.toString(m.pageIndex()));
            if (m.sessionId() == null) {
                stored = recordNumbered(m.cohortId(), key,
                        List.of(new ChangeBatch(m.cohortId(), key, add, m.members(), now, now.plus(SESSIONLESS_DEDUPE_WINDOW))), now);
            } else {
                // The session id makes the key unique to this sync; a restarted sync re-sends with the same key.
                stored = postbacks.recordChange(new ChangeBatch(m.cohortId(), key, add, m.members(), now,
                        now.plus(SESSION_RECORD_TTL)), now);
                // also for a duplicate: its first attempt may have died before this step
                becomesLatest(m.cohortId(), key);
            }
        }
        if (m.action() == MixpanelWebhook.Action.MEMBERS && m.pageIndex() == 1) {
            becomesLatest(m.cohortId(), "session " + m.sessionId());
        }
        if (stored) {
            registry.countSkippedMembers(m.cohortId(), m.skipped()); // once per postback, not per re-send
        }
        // After the record, so a retried postback whose first attempt died in between still registers the cohort.
        // A full sync registers it with its first page only (saves a write per page): the session cannot complete
        // without page 1, so the refresh never needs the cohort before that page arrives.
        if (m.action() != MixpanelWebhook.Action.MEMBERS || m.pageIndex() == 1) {
            registry.upsertCohort(new CohortUpsert(m.cohortId(), m.cohortName(), m.cohortDescription(), m.projectId(), now),
                    settings.defaultSyncMode());
        }
        return new Receipt(stored, m.members().size(), m.skipped());
    }

    public void acceptPartnerCohort(BrazePartner.CohortName c) {
        registry.upsertCohort(new CohortUpsert(c.cohortId(), c.name(), null, null, clock.instant()),
                settings.defaultSyncMode());
    }

    public Receipt acceptPartnerChanges(BrazePartner.UserChanges c) {
        Instant now = clock.instant();
        // user_ids are Braze external ids (aliases user aliases) whatever MEMBER_ID_FIELD says: that setting is about
        // Mixpanel members.
        List<ChangeBatch> batches = new ArrayList<>();
        for (boolean add : new boolean[] {true, false}) {
            List<MemberRef> refs = add ? c.added() : c.removed();
            if (!refs.isEmpty()) {
                String key = changeKey(refs, "braze", c.cohortId(), add ? "add" : "remove");
                batches.add(new ChangeBatch(c.cohortId(), key, add, refs, now, now.plus(SESSIONLESS_DEDUPE_WINDOW)));
            }
        }
        // The request as a whole is the unit of a re-send (its adds and removes together).
        String fingerprint = changeKey(List.of(), batches.stream().map(ChangeBatch::key).toArray(String[]::new));
        boolean stored = !batches.isEmpty() && recordNumbered(c.cohortId(), fingerprint, batches, now);
        registry.upsertCohort(new CohortUpsert(c.cohortId(), null, null, null, now), settings.defaultSyncMode());
        return new Receipt(stored, c.added().size() + c.removed().size(), c.ignoredDeviceIds());
    }

    /**
     * Stores sessionless changes under keys numbered by the cohort's postback sequence: the number of the latest
     * postback when {@code fingerprint} is that postback's (a re-send: the keys exist, nothing is stored), else the
     * next number (a new postback, even if identical to an earlier one: add, remove, add again). A crash between
     * the records and the sequence's update is harmless: the retry computes the same number and finds its records.
     */
    private boolean recordNumbered(String cohortId, String fingerprint, List<ChangeBatch> batches, Instant now) {
        PostbackLog.Sequence last = postbacks.lastPostback(cohortId);
        long number = fingerprint.equals(last.fingerprint()) ? last.number() : last.number() + 1;
        boolean stored = false;
        for (ChangeBatch b : batches) {
            stored |= postbacks.recordChange(new ChangeBatch(cohortId, b.key() + "-" + number, b.add(), b.members(),
                    b.receivedAt(), b.expiresAt()), now);
        }
        if (number > last.number()) {
            postbacks.advancePostbacks(cohortId, fingerprint, number);
        }
        return stored;
    }

    /** A session-scoped postback was stored: a sessionless one identical to the one before it is no re-send. */
    private void becomesLatest(String cohortId, String fingerprint) {
        PostbackLog.Sequence last = postbacks.lastPostback(cohortId);
        if (!fingerprint.equals(last.fingerprint())) {
            postbacks.advancePostbacks(cohortId, fingerprint, last.number() + 1);
        }
    }

    static String changeKey(List<MemberRef> members, String... parts) {
        MessageDigest d = Sha256.newDigest();
        for (String p : parts) {
            d.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
        }
        for (String k : members.stream().map(MemberRef::storageKey).sorted().toList()) {
            d.update(k.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
