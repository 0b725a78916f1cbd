package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.cohorts.port.PostbackLog;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The scheduled refresh: folds stored postbacks into membership, applies pending changes to Braze and records
 * what happened.
 *
 * <p>Per cohort, under the cohort's lease (the only writer of its member items):
 * <ol>
 *   <li>Collect events: unfolded change batches, and full-sync sessions whose pages have all arrived (event time
 *       = the last page's arrival). Events younger than {@link #SETTLE} wait for the next run, so a postback whose
 *       write was still in flight when we read cannot be folded out of order. Sessions open longer than
 *       {@link #SESSION_MAX_AGE} expire.</li>
 *   <li>Fold the events in arrival order into the member map (a snapshot replaces membership).</li>
 *   <li>Compute pending changes, combine them per user across cohorts into one attributes object each, send at
 *       most 75 per request; 429 waits for Retry-After (or backs off) only while the deadline allows.</li>
 *   <li>Write changed members once (batch), then the fold watermark, then mark events folded. A crash before the
 *       watermark replays the same events on the same state next time (idempotent); a crash after it skips
 *       events at or before the watermark.</li>
 * </ol>
 * Steps 1 and 2 are {@link RefreshFolder}'s, step 3 {@link BrazeApplier}'s; this class leases, writes back and
 * counts.
 */
public final class CohortRefresher {

    public static final Duration SETTLE = Duration.ofSeconds(30);
    public static final Duration SESSION_MAX_AGE = Duration.ofHours(6);
    static final Duration MIN_CALL_TIME = Duration.ofSeconds(2);
    private static final Duration MAX_LEASE = Duration.ofMinutes(15);

    private static final Log LOG = Log.get(CohortRefresher.class);

    private final CohortRegistry registry;
    private final PostbackLog postbacks;
    private final Membership membership;
    private final CohortSettings settings;
    private final Clock clock;
    private final RefreshFolder folder;
    private final BrazeApplier applier;

    public CohortRefresher(CohortRegistry registry, PostbackLog postbacks, Membership membership, BrazeUsers braze,
                           CohortSettings settings, Clock clock, Sleeper sleeper) {
        this.registry = registry;
        this.postbacks = postbacks;
        this.membership = membership;
        this.settings = settings;
        this.folder = new RefreshFolder(postbacks, membership);
        this.applier = new BrazeApplier(braze, settings, clock, sleeper);
        this.clock = clock;
    }

    /** What one run did (also emitted as metrics). */
    public record Report(int cohortsRefreshed, int cohortsSkipped, int eventsFolded, int sessionsFinalised,
                         int sessionsExpired, int brazeRequests, int throttled, long dataPoints, long rejected,
                         long stillPending, boolean stoppedEarly) {
    }

    public Report run(Deadline deadline, Metrics metrics) {
        Instant now = clock.instant();
        List<RefreshWork> works = new ArrayList<>();
        int skipped = 0;
        int events = 0;
        RefreshCounters c = new RefreshCounters();
        try {
            for (Cohort cohort : registry.listCohorts()) {
                if (cohort.status() == CohortStatus.APPLIED) {
                    skipped++; // one-time cohort already in Braze: nothing to refresh until a new postback
                    continue;
                }
                if (!deadline.allows(MIN_CALL_TIME, Duration.ofSeconds(5))) {
                    c.stoppedEarly = true;
                    break;
                }
                // Held for the rest of the run (at most a Lambda's 15 minutes) so a crashed run frees it soon.
                Duration held = deadline.remaining().compareTo(MAX_LEASE) < 0 ? deadline.remaining() : MAX_LEASE;
                Instant leaseUntil = now.plus(held).plus(Duration.ofMinutes(1));
                if (!membership.acquireLease(cohort.id(), now, leaseUntil)) {
                    skipped++; // another run holds it
                    continue;
                }
                // Re-read under the lease: a run that finished since the listing may have changed the counts.
                Cohort current = registry.findCohort(cohort.id()).orElse(cohort);
                RefreshWork w = new RefreshWork(current, current.value(settings.valueSource()));
                works.add(w);
                events += folder.fold(w, now);
            }
            applier.apply(works, deadline, c);
        } finally {
            for (RefreshWork w : works) {
                try {
                    persist(w, now, c);
                } catch (RuntimeException e) {
                    // The lease expires on its own; what was not written is replayed by the next run.
                    LOG.error("cohort write-back failed", "cohortId", w.cohort.id(), "error", e.getClass().getSimpleName());
                }
            }
        }
        long dataPoints = works.stream().mapToLong(w -> w.dataPoints).sum();
        long rejected = works.stream().mapToLong(w -> w.rejected).sum();
        Report r = new Report(works.size(), skipped, events, c.finalised, c.expired, c.requests, c.throttled,
                dataPoints, rejected, c.stillPending, c.stoppedEarly);
        metrics.count("CohortsRefreshed", r.cohortsRefreshed())
                .count("CohortEventsFolded", r.eventsFolded())
                .count("SyncSessionsFinalised", r.sessionsFinalised())
                .count("SyncSessionsExpired", r.sessionsExpired())
                .count("BrazeRequests", r.brazeRequests())
                .count("BrazeThrottled", r.throttled())
                .count("BrazeDataPoints", r.dataPoints())
                .count("BrazeRejectedChanges", r.rejected())
                .count("CohortChangesPending", r.stillPending());
        LOG.info("cohort refresh done", "cohorts", r.cohortsRefreshed(), "skipped", r.cohortsSkipped(),
                "events", r.eventsFolded(), "requests", r.brazeRequests(), "throttled", r.throttled(),
                "dataPoints", r.dataPoints(), "rejected", r.rejected(), "pending", r.stillPending(),
                "stoppedEarly", r.stoppedEarly());
        return r;
    }

    // ---- 4: write back ------------------------------------------------------------------------------------

    private void persist(RefreshWork w, Instant now, RefreshCounters c) {
        String id = w.cohort.id();
        try {
            long memberCount = w.cohort.memberCount();
            long pending = w.cohort.pendingCount();
            if (w.members != null) {
                List<Member> changed = w.dirty.stream().map(w.members::get).toList();
                membership.writeMembers(id, changed);
                memberCount = w.members.values().stream().filter(Member::desired).count();
                pending = w.members.values().stream().filter(m -> m.pending(w.value)).count();
            }
            if (w.foldedThrough != null) {
                membership.setFoldedThrough(id, w.foldedThrough);
            }
            if (!w.foldedKeys.isEmpty()) {
                postbacks.markFolded(id, w.foldedKeys);
            }
            for (SyncSession s : w.finalised) {
                postbacks.closeSession(id, s.sessionId(), SyncSession.Status.FINALISED);
                c.finalised++;
            }
            for (SyncSession s : w.expired) {
                postbacks.closeSession(id, s.sessionId(), SyncSession.Status.EXPIRED);
                c.expired++;
            }
            c.stillPending += pending;
            boolean settled = pending == 0 && !w.unfoldedRemain;
            CohortStatus status;
            if (w.cohort.syncMode() == SyncMode.ONE_TIME && settled) {
                status = CohortStatus.APPLIED;
            } else if (w.cohort.syncMode() == SyncMode.DYNAMIC && w.cohort.lastPostbackAt() != null
                    && w.cohort.lastPostbackAt().isBefore(now.minus(settings.staleAfter()))) {
                status = CohortStatus.STALE;
            } else {
                status = CohortStatus.ACTIVE;
            }
            String appliedValue = pending == 0 && w.members != null ? w.value : w.cohort.appliedValue();
            registry.recordRefresh(id, new CohortRegistry.RefreshOutcome(now, memberCount, pending, status, appliedValue,
                    w.dataPoints, w.lastError));
            LOG.info("cohort refreshed", "cohortId", id, "status", status.wire(), "members", memberCount,
                    "pending", pending, "dataPoints", w.dataPoints, "rejected", w.rejected,
                    "sessionsFinalised", w.finalised.size(), "sessionsExpired", w.expired.size());
        } finally {
            membership.releaseLease(id);
        }
    }
}
