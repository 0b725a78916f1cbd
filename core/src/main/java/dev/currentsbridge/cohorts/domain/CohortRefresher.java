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
 * <p>Cohorts are refreshed one group at a time ({@link CohortGroups}: one cohort, unless cohorts share a value),
 * fold -> apply -> write back, so memory holds the largest group's members, never all cohorts'. Per cohort, under
 * the cohort's lease (the only writer of its member items):
 * <ol>
 *   <li>Collect events: unfolded change batches, and full-sync sessions whose pages have all arrived (event time
 *       = the last page's arrival). Events younger than {@link #SETTLE} wait for the next run, so a postback whose
 *       write was still in flight when we read cannot be folded out of order. Sessions open longer than
 *       {@link #SESSION_MAX_AGE} expire.</li>
 *   <li>Fold the events in arrival order into the member map (a snapshot replaces membership). A full sync that
 *       would remove too many members is held (mass-removal safeguard): nothing of the cohort is sent or
 *       written until an operator confirms or a later sync no longer needs it.</li>
 *   <li>Compute pending changes, combine them per user into one attributes object each, write them ahead as
 *       unconfirmed, send {@code BRAZE_OBJECTS_PER_REQUEST} per request. An answer saying the configuration is
 *       wrong stops all sending for the run, every change still pending, with {@code last_error}.</li>
 *   <li>Write changed members once (batch), then the fold watermark, then mark events folded. A crash before the
 *       watermark replays the same events on the same state next time (idempotent); a crash after it skips
 *       events at or before the watermark.</li>
 * </ol>
 * Steps 1 and 2 are {@link RefreshFolder}'s, step 3 {@link BrazeApplier}'s; this class leases, holds, writes back
 * and counts.
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
        this.applier = new BrazeApplier(braze, membership, settings, clock, sleeper);
        this.clock = clock;
    }

    /**
     * What one run did (also emitted as metrics). {@code configurationError} is the reason the run stopped sending
     * when Braze's answer said the configuration or Braze is wrong (null otherwise).
     */
    public record Report(int cohortsRefreshed, int cohortsSkipped, int eventsFolded, int sessionsFinalised,
                         int sessionsExpired, int brazeRequests, int throttled, long dataPoints, long rejected,
                         long stillPending, boolean stoppedEarly, String configurationError, int cohortsHeld,
                         long overArrayCap, long unmatched) {
    }

    public Report run(Deadline deadline, Metrics metrics) {
        Instant now = clock.instant();
        RefreshCounters c = new RefreshCounters();
        List<Cohort> cohorts = registry.listCohorts();
        ArrayCapGuard cap = ArrayCapGuard.of(cohorts, settings.valueSource(), membership, settings.arrayMax());
        for (List<Cohort> group : CohortGroups.of(cohorts, settings.valueSource())) {
            if (!deadline.allows(MIN_CALL_TIME, Duration.ofSeconds(5))) {
                c.stoppedEarly = true;
                break;
            }
            refreshGroup(group, now, deadline, c, cap);
        }
        Report r = new Report(c.cohortsRefreshed, c.skipped, c.events, c.finalised, c.expired, c.requests, c.throttled,
                c.dataPoints, c.rejected, c.stillPending, c.stoppedEarly, c.halt, c.held, c.overArrayCap, c.unmatched);
        metrics.count("CohortsRefreshed", r.cohortsRefreshed())
                .count("CohortEventsFolded", r.eventsFolded())
                .count("SyncSessionsFinalised", r.sessionsFinalised())
                .count("SyncSessionsExpired", r.sessionsExpired())
                .count("BrazeRequests", r.brazeRequests())
                .count("BrazeThrottled", r.throttled())
                .count("BrazeDataPoints", r.dataPoints())
                .count("BrazeRejectedChanges", r.rejected())
                .count("CohortChangesPending", r.stillPending())
                .count("BrazeConfigurationErrors", r.configurationError() == null ? 0 : 1)
                .count("CohortsHeld", r.cohortsHeld())
                .count("CohortArrayCapExceeded", r.overArrayCap())
                .count("BrazeUnmatchedMembers", r.unmatched());
        LOG.info("cohort refresh done", "cohorts", r.cohortsRefreshed(), "skipped", r.cohortsSkipped(),
                "events", r.eventsFolded(), "requests", r.brazeRequests(), "throttled", r.throttled(),
                "data_points", r.dataPoints(), "rejected", r.rejected(), "pending", r.stillPending(),
                "stopped_early", r.stoppedEarly(), "held", r.cohortsHeld(), "over_array_cap", r.overArrayCap(),
                "configuration_error", r.configurationError());
        return r;
    }

    /** Lease, fold, hold or apply, write back one group; its members are garbage once this returns. */
    private void refreshGroup(List<Cohort> group, Instant now, Deadline deadline, RefreshCounters c, ArrayCapGuard cap) {
        List<RefreshWork> works = new ArrayList<>();
        try {
            for (Cohort cohort : group) {
                if (cohort.status() == CohortStatus.APPLIED) {
                    c.skipped++; // one-time cohort already in Braze: nothing to refresh until a new postback
                    continue;
                }
                // Held for the rest of the run (at most a Lambda's 15 minutes) so a crashed run frees it soon.
                Duration held = deadline.remaining().compareTo(MAX_LEASE) < 0 ? deadline.remaining() : MAX_LEASE;
                Instant leaseUntil = now.plus(held).plus(Duration.ofMinutes(1));
                if (!membership.acquireLease(cohort.id(), now, leaseUntil)) {
                    c.skipped++; // another run holds it
                    continue;
                }
                RefreshWork w = leasedWork(cohort, now, c);
                works.add(w);
                hold(w);
            }
            if (c.halt == null) {
                applier.apply(works, deadline, c, cap);
            }
            if (c.halt != null) {
                // Braze's answer said the configuration is wrong (here or in an earlier group): nothing more is sent
                // this run; every cohort left with changes says why.
                works.stream().filter(w -> !w.held() && w.lastError == null && w.anyPending())
                        .forEach(w -> w.lastError = c.halt);
            }
        } finally {
            for (RefreshWork w : works) {
                try {
                    persist(w, now, c);
                } catch (RuntimeException e) {
                    // The lease expires on its own; what was not written is replayed by the next run.
                    LOG.error("cohort write-back failed", "cohort_id", w.cohort.id(), "error", e.getClass().getSimpleName());
                }
            }
        }
    }

    /**
     * Re-reads the leased cohort and folds its events. A fold that fails (a store read) leaves a partial work that
     * must not be written back: its member map or counts would replace the stored ones (a cohort whose members were
     * not read would be recorded empty, with nothing pending, and never be read again). The lease is released and
     * the failure goes on; the fold wrote nothing, so the next run starts over.
     */
    private RefreshWork leasedWork(Cohort cohort, Instant now, RefreshCounters c) {
        try {
            // Re-read under the lease: a run that finished since the listing may have changed the counts.
            Cohort current = registry.findCohort(cohort.id()).orElse(cohort);
            RefreshWork w = new RefreshWork(current, current.value(settings.valueSource()));
            c.events += folder.fold(w, now);
            return w;
        } catch (RuntimeException e) {
            try {
                membership.releaseLease(cohort.id());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed); // the lease then expires on its own
            }
            throw e;
        }
    }

    /**
     * The mass-removal safeguard: a full sync taking out more than {@code MASS_REMOVAL_MAX_PERCENT} of a cohort of
     * at least {@code MASS_REMOVAL_MIN_MEMBERS} is held unless an operator confirmed it. Held, the fold is dropped
     * (nothing written, events stay unfolded), so the next run folds again and decides again: a later sync that no
     * longer removes so many lifts the hold by itself.
     */
    private void hold(RefreshWork w) {
        if (w.members != null && w.sawSnapshot) {
            long removals = w.removalsByFold();
            if (settings.massRemoval(w.desiredBefore, removals) && !w.cohort.removalsConfirmed()) {
                w.heldRemovals = removals;
                LOG.warn("full sync held: it would remove too many members", "cohort_id", w.cohort.id(),
                        "members", w.desiredBefore, "removals", removals);
            }
        }
        w.confirmationUsed = w.cohort.removalsConfirmed() && !w.held();
        w.foldEvaluated();
    }

    // ---- 4: write back ------------------------------------------------------------------------------------

    private void persist(RefreshWork w, Instant now, RefreshCounters c) {
        String id = w.cohort.id();
        c.cohortsRefreshed++;
        c.dataPoints += w.dataPoints;
        c.rejected += w.rejected;
        c.overArrayCap += w.overArrayCap;
        try {
            if (w.held()) {
                c.held++;
                c.stillPending += w.cohort.pendingCount();
                c.unmatched += w.cohort.unmatchedCount();
                registry.recordRefresh(id, new CohortRegistry.RefreshOutcome(now, w.cohort.memberCount(),
                        w.cohort.pendingCount(), CohortStatus.ACTIVE, w.cohort.appliedValue(), 0, null,
                        w.cohort.unmatchedCount(), 0, w.heldRemovals, false));
                return;
            }
            long memberCount = w.cohort.memberCount();
            long pending = w.cohort.pendingCount();
            long unmatched = w.cohort.unmatchedCount();
            if (w.members != null) {
                List<Member> changed = w.dirty.stream().map(w.members::get).toList();
                membership.writeMembers(id, changed);
                memberCount = w.members.values().stream().filter(Member::desired).count();
                pending = w.members.values().stream().filter(m -> m.pending(w.value)).count();
                unmatched = w.members.values().stream().filter(m -> m.rejectReason() != null).count();
            }
            c.unmatched += unmatched;
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
                    w.dataPoints, w.lastError, unmatched, w.overArrayCap, 0, w.confirmationUsed));
            LOG.info("cohort refreshed", "cohort_id", id, "status", status.wire(), "members", memberCount,
                    "pending", pending, "data_points", w.dataPoints, "rejected", w.rejected, "unmatched", unmatched,
                    "match_rate", matchRate(memberCount, unmatched), "over_array_cap", w.overArrayCap,
                    "sessions_finalised", w.finalised.size(), "sessions_expired", w.expired.size());
        } finally {
            membership.releaseLease(id);
        }
    }

    /** The share of a cohort's members Braze knows and took, 1.0 for an empty cohort. */
    static double matchRate(long members, long unmatched) {
        return members == 0 ? 1.0 : Math.max(0, members - unmatched) / (double) members;
    }
}
