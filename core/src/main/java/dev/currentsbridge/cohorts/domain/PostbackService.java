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
     * Dedupe window for changes that carry no session id (the Braze partner shape): longer than Mixpanel's
     * 60-second retry burst, shorter than the 15-minute sync cadence, so an identical but genuine later change
     * (a user leaving and re-entering) is not mistaken for a re-send.
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
            Duration keep = m.sessionId() == null ? SESSIONLESS_DEDUPE_WINDOW : SESSION_RECORD_TTL;
            String key = changeKey(m.members(), "mixpanel", m.cohortId(), m.action().wire(), m.sessionId(),
                    Integer.toString(m.pageIndex()));
            stored = postbacks.recordChange(new ChangeBatch(m.cohortId(), key, add, m.members(), now, now.plus(keep)), now);
        }
        if (stored) {
            postbacks.countSkippedMembers(m.cohortId(), m.skipped()); // once per postback, not per re-send
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
        boolean stored = false;
        // user_ids are Braze external ids (aliases user aliases) whatever MEMBER_ID_FIELD says: that setting is about
        // Mixpanel members.
        for (boolean add : new boolean[] {true, false}) {
            List<MemberRef> refs = add ? c.added() : c.removed();
            if (!refs.isEmpty()) {
                String key = changeKey(refs, "braze", c.cohortId(), add ? "add" : "remove");
                stored |= postbacks.recordChange(new ChangeBatch(c.cohortId(), key, add, refs, now,
                        now.plus(SESSIONLESS_DEDUPE_WINDOW)), now);
            }
        }
        registry.upsertCohort(new CohortUpsert(c.cohortId(), null, null, null, now), settings.defaultSyncMode());
        return new Receipt(stored, c.added().size() + c.removed().size(), c.ignoredDeviceIds());
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
