package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.BrazeUsers.AttributeUpdate;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.cohorts.port.CohortStore;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import java.util.Optional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 */
public final class CohortRefresher {

    public static final Duration SETTLE = Duration.ofSeconds(30);
    public static final Duration SESSION_MAX_AGE = Duration.ofHours(6);
    private static final Duration MIN_CALL_TIME = Duration.ofSeconds(2);
    private static final int MAX_FAILED_ATTEMPTS = 3;
    private static final int MAX_THROTTLED_ATTEMPTS = 8;
    /** The shared policy's Braze schedule (1 s doubling to 30 s, with jitter). */
    private static final RetryPolicy BACKOFF = RetryPolicy.braze(RandomGenerator.getDefault());
    private static final Duration MAX_LEASE = Duration.ofMinutes(15);

    private static final Log LOG = Log.get(CohortRefresher.class);

    private final CohortStore store;
    private final BrazeUsers braze;
    private final CohortSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;

    public CohortRefresher(CohortStore store, BrazeUsers braze, CohortSettings settings, Clock clock, Sleeper sleeper) {
        this.store = store;
        this.braze = braze;
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** What one run did (also emitted as metrics). */
    public record Report(int cohortsRefreshed, int cohortsSkipped, int eventsFolded, int sessionsFinalised,
                         int sessionsExpired, int brazeRequests, int throttled, long dataPoints, long rejected,
                         long stillPending, boolean stoppedEarly) {
    }

    /** The events and member map of one leased cohort during a run. */
    private static final class Work {
        final Cohort cohort;
        final String value;
        Map<MemberRef, Member> members;
        final Set<MemberRef> dirty = new LinkedHashSet<>();
        final List<String> foldedKeys = new ArrayList<>();
        final List<SyncSession> finalised = new ArrayList<>();
        final List<SyncSession> expired = new ArrayList<>();
        Instant foldedThrough;
        boolean unfoldedRemain;
        long dataPoints;
        long rejected;
        String lastError;

        Work(Cohort cohort, String value) {
            this.cohort = cohort;
            this.value = value;
        }

        void put(Member m) {
            members.put(m.ref(), m);
            dirty.add(m.ref());
        }
    }

    private record Event(Instant at, String key, ChangeBatch change, SyncSession session, Set<MemberRef> snapshot) {
    }

    /** One user's combined attributes object and the cohort memberships it carries. */
    private record Planned(AttributeUpdate update, List<Work> parts) {
    }

    public Report run(Deadline deadline, Metrics metrics) {
        Instant now = clock.instant();
        List<Work> works = new ArrayList<>();
        int skipped = 0;
        int events = 0;
        Counters c = new Counters();
        try {
            for (Cohort cohort : store.listCohorts()) {
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
                if (!store.acquireLease(cohort.id(), now, leaseUntil)) {
                    skipped++; // another run holds it
                    continue;
                }
                // Re-read under the lease: a run that finished since the listing may have changed the counts.
                Cohort current = store.findCohort(cohort.id()).orElse(cohort);
                Work w = new Work(current, current.value(settings.valueSource()));
                works.add(w);
                events += fold(w, now);
            }
            apply(works, deadline, c);
        } finally {
            for (Work w : works) {
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

    private static final class Counters {
        int finalised;
        int expired;
        int requests;
        int throttled;
        long stillPending;
        boolean stoppedEarly;
    }

    // ---- 1 + 2: collect and fold -------------------------------------------------------------------------

    private int fold(Work w, Instant now) {
        String id = w.cohort.id();
        Instant settledBefore = now.minus(SETTLE);
        Instant watermark = store.foldedThrough(id).orElse(null);
        List<Event> events = new ArrayList<>();
        for (ChangeBatch ch : store.unfoldedChanges(id)) {
            if (ch.receivedAt().isAfter(settledBefore)) {
                w.unfoldedRemain = true;
            } else if (watermark != null && !ch.receivedAt().isAfter(watermark)) {
                w.foldedKeys.add(ch.key()); // folded by a run that died before marking it
            } else {
                events.add(new Event(ch.receivedAt(), ch.key(), ch, null, null));
            }
        }
        for (SyncSession s : store.openSessions(id)) {
            List<SessionPage> pages = store.sessionPages(id, s.sessionId());
            Set<Integer> indexes = new HashSet<>();
            Instant last = Instant.MIN;
            Set<MemberRef> snapshot = new HashSet<>();
            for (SessionPage p : pages) {
                indexes.add(p.pageIndex());
                last = p.receivedAt().isAfter(last) ? p.receivedAt() : last;
                snapshot.addAll(p.members());
            }
            if (indexes.size() >= s.totalPages()) {
                if (last.isAfter(settledBefore)) {
                    w.unfoldedRemain = true;
                } else if (watermark != null && !last.isAfter(watermark)) {
                    w.finalised.add(s);
                } else {
                    events.add(new Event(last, "session#" + s.sessionId(), null, s, snapshot));
                }
            } else if (s.createdAt().isBefore(now.minus(SESSION_MAX_AGE))) {
                w.expired.add(s);
            } else {
                w.unfoldedRemain = true;
            }
        }
        events.sort(Comparator.comparing(Event::at).thenComparing(Event::key));
        // A watermark newer than the last recorded refresh allows means that run wrote members but not its counts
        // (recordRefresh failed): the cohort record's pending and member counts cannot be trusted.
        boolean countsLag = watermark != null
                && (w.cohort.lastRefreshAt() == null || watermark.isAfter(w.cohort.lastRefreshAt().minus(SETTLE)));
        boolean needMembers = !events.isEmpty() || w.cohort.pendingCount() > 0 || countsLag
                || !Objects.equals(w.cohort.appliedValue(), w.value);
        if (!needMembers) {
            return 0;
        }
        w.members = new HashMap<>();
        for (Member m : store.allMembers(id)) {
            w.members.put(m.ref(), m);
        }
        for (Event e : events) {
            if (e.change != null) {
                for (MemberRef ref : e.change.members()) {
                    Member m = w.members.get(ref);
                    if (e.change.add()) {
                        if (m == null) {
                            w.put(Member.joining(ref, now));
                        } else if (!m.desired()) {
                            w.put(m.withDesired(true, now));
                        }
                    } else if (m != null && m.desired()) {
                        w.put(m.withDesired(false, now));
                    }
                }
                w.foldedKeys.add(e.change.key());
            } else {
                for (Member m : List.copyOf(w.members.values())) {
                    boolean in = e.snapshot.contains(m.ref());
                    if (m.desired() != in) {
                        w.put(m.withDesired(in, now));
                    }
                }
                for (MemberRef ref : e.snapshot) {
                    if (!w.members.containsKey(ref)) {
                        w.put(Member.joining(ref, now));
                    }
                }
                w.finalised.add(e.session);
            }
            w.foldedThrough = e.at;
        }
        return events.size();
    }

    // ---- 3: apply to Braze --------------------------------------------------------------------------------

    private void apply(List<Work> works, Deadline deadline, Counters c) {
        List<Planned> plan = plan(works);
        long writes = works.stream().filter(w -> w.members != null).mapToLong(w -> w.dirty.size()).sum() + plan.size();
        // Keep time to write back what we did: roughly 20 ms per 25-item batch, plus the per-cohort updates.
        Duration reserve = Duration.ofMillis(3000 + 20 * (writes / 25 + 5L * works.size()));
        for (int from = 0; from < plan.size(); from += BrazeUsers.MAX_OBJECTS) {
            List<Planned> chunk = plan.subList(from, Math.min(plan.size(), from + BrazeUsers.MAX_OBJECTS));
            if (!send(chunk, deadline, reserve, c)) {
                c.stoppedEarly = true;
                return;
            }
        }
    }

    private List<Planned> plan(List<Work> works) {
        Map<MemberRef, List<Work>> byUser = new LinkedHashMap<>();
        for (Work w : works) {
            if (w.members == null) {
                continue;
            }
            for (Member m : w.members.values()) {
                if (m.pending(w.value)) {
                    byUser.computeIfAbsent(m.ref(), k -> new ArrayList<>()).add(w);
                }
            }
        }
        List<Planned> plan = new ArrayList<>(byUser.size());
        byUser.forEach((ref, parts) -> {
            Set<String> add = new LinkedHashSet<>();
            Set<String> remove = new LinkedHashSet<>();
            for (Work w : parts) {
                Member m = w.members.get(ref);
                String want = m.wanted(w.value);
                if (want != null) {
                    add.add(want);
                }
                if (m.applied() != null && !m.applied().equals(want)) {
                    remove.add(m.applied());
                }
                for (String held : m.maybeHeld()) {
                    if (!held.equals(want)) {
                        remove.add(held);
                    }
                }
            }
            // Two cohorts may share a value (equal names): a value another membership still wants is not removed.
            remove.removeAll(add);
            plan.add(new Planned(new AttributeUpdate(ref, settings.attribute(), List.copyOf(add), List.copyOf(remove)),
                    parts));
        });
        return plan;
    }

    /** Sends one request until it is answered; false when the run must stop (deadline, auth, outage). */
    private boolean send(List<Planned> chunk, Deadline deadline, Duration reserve, Counters c) {
        List<AttributeUpdate> updates = chunk.stream().map(Planned::update).toList();
        int failed = 0;
        int throttled = 0;
        boolean unanswered = false; // a request failed in a way that Braze may still have applied it
        while (true) {
            if (!deadline.allows(MIN_CALL_TIME, reserve)) {
                return giveUp(chunk, unanswered);
            }
            c.requests++;
            TrackResult result = braze.track(updates);
            switch (result) {
                case TrackResult.Ok ok -> {
                    record(chunk, ok.rejected());
                    return true;
                }
                case TrackResult.Throttled t -> {
                    c.throttled++;
                    throttled++;
                    Duration wait = BACKOFF.delay(throttled, Optional.ofNullable(t.retryAfter()));
                    if (throttled > MAX_THROTTLED_ATTEMPTS || !deadline.allows(wait.plus(MIN_CALL_TIME), reserve)) {
                        LOG.warn("braze throttled; leaving changes pending", "waitMs", wait.toMillis());
                        return giveUp(chunk, unanswered);
                    }
                    sleep(wait);
                }
                case TrackResult.Failed f when f.retryable() -> {
                    failed++;
                    unanswered = true;
                    Duration wait = BACKOFF.delay(failed, Optional.empty());
                    if (failed >= MAX_FAILED_ATTEMPTS || !deadline.allows(wait.plus(MIN_CALL_TIME), reserve)) {
                        noteError(chunk, "braze unavailable: " + f.reason());
                        return giveUp(chunk, true);
                    }
                    sleep(wait);
                }
                case TrackResult.Failed f when f.status() == 401 || f.status() == 403 -> {
                    noteError(chunk, "braze refused the REST API key (HTTP " + f.status() + ")");
                    LOG.error("braze refused the REST API key", "status", f.status());
                    return giveUp(chunk, unanswered);
                }
                case TrackResult.Failed f -> {
                    // The whole request was refused as malformed: retrying would fail the same way every run.
                    Map<Integer, String> all = new HashMap<>();
                    for (int i = 0; i < chunk.size(); i++) {
                        all.put(i, "braze HTTP " + f.status() + ": " + f.reason());
                    }
                    record(chunk, all);
                    return true;
                }
            }
        }
    }

    /**
     * Stops sending this chunk. When an earlier attempt went unanswered, Braze may have applied it: its members are
     * marked unconfirmed, so a later run removes the attempted value if Mixpanel no longer wants it.
     */
    private boolean giveUp(List<Planned> chunk, boolean unanswered) {
        if (unanswered) {
            Instant now = clock.instant();
            for (Planned p : chunk) {
                for (Work w : p.parts()) {
                    Member m = w.members.get(p.update().member());
                    w.put(m.unconfirmed(m.wanted(w.value), now));
                }
            }
        }
        return false;
    }

    private void record(List<Planned> chunk, Map<Integer, String> rejected) {
        Instant now = clock.instant();
        for (int i = 0; i < chunk.size(); i++) {
            String reason = rejected.get(i);
            MemberRef ref = chunk.get(i).update().member();
            for (Work w : chunk.get(i).parts()) {
                Member m = w.members.get(ref);
                if (reason == null) {
                    w.put(m.appliedAs(m.wanted(w.value), now));
                    w.dataPoints++;
                } else {
                    w.put(m.rejected(w.value, truncate(reason), now));
                    w.rejected++;
                }
            }
        }
    }

    private static void noteError(List<Planned> chunk, String error) {
        chunk.forEach(p -> p.parts().forEach(w -> w.lastError = error));
    }

    private void sleep(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    // ---- 4: write back ------------------------------------------------------------------------------------

    private void persist(Work w, Instant now, Counters c) {
        String id = w.cohort.id();
        try {
            long memberCount = w.cohort.memberCount();
            long pending = w.cohort.pendingCount();
            if (w.members != null) {
                List<Member> changed = w.dirty.stream().map(w.members::get).toList();
                store.writeMembers(id, changed);
                memberCount = w.members.values().stream().filter(Member::desired).count();
                pending = w.members.values().stream().filter(m -> m.pending(w.value)).count();
            }
            if (w.foldedThrough != null) {
                store.setFoldedThrough(id, w.foldedThrough);
            }
            if (!w.foldedKeys.isEmpty()) {
                store.markFolded(id, w.foldedKeys);
            }
            for (SyncSession s : w.finalised) {
                store.closeSession(id, s.sessionId(), SyncSession.Status.FINALISED);
                c.finalised++;
            }
            for (SyncSession s : w.expired) {
                store.closeSession(id, s.sessionId(), SyncSession.Status.EXPIRED);
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
            store.recordRefresh(id, new CohortStore.RefreshOutcome(now, memberCount, pending, status, appliedValue,
                    w.dataPoints, w.lastError));
            LOG.info("cohort refreshed", "cohortId", id, "status", status.wire(), "members", memberCount,
                    "pending", pending, "dataPoints", w.dataPoints, "rejected", w.rejected,
                    "sessionsFinalised", w.finalised.size(), "sessionsExpired", w.expired.size());
        } finally {
            store.releaseLease(id);
        }
    }
}
