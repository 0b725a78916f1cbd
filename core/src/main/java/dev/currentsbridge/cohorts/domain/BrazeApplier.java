package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers.AttributeUpdate;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Step 3 of a {@link CohortRefresher} run: combines the pending changes of all leased cohorts per user into one
 * attributes object each, sends at most 75 per request and records Braze's answer on the member map.
 * 429 waits for Retry-After (or backs off) only while the deadline allows.
 */
final class BrazeApplier {

    private static final Duration MIN_CALL_TIME = CohortRefresher.MIN_CALL_TIME;
    private static final int MAX_FAILED_ATTEMPTS = 3;
    private static final int MAX_THROTTLED_ATTEMPTS = 8;
    /** The shared policy's Braze schedule (1 s doubling to 30 s, with jitter). */
    private static final RetryPolicy BACKOFF = RetryPolicy.braze(RandomGenerator.getDefault());

    private static final Log LOG = Log.get(CohortRefresher.class);

    private final BrazeUsers braze;
    private final CohortSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;

    BrazeApplier(BrazeUsers braze, CohortSettings settings, Clock clock, Sleeper sleeper) {
        this.braze = braze;
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** One user's combined attributes object and the cohort memberships it carries. */
    private record Planned(AttributeUpdate update, List<RefreshWork> parts) {
    }

    void apply(List<RefreshWork> works, Deadline deadline, RefreshCounters c) {
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

    private List<Planned> plan(List<RefreshWork> works) {
        Map<MemberRef, List<RefreshWork>> byUser = new LinkedHashMap<>();
        for (RefreshWork w : works) {
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
            for (RefreshWork w : parts) {
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
    private boolean send(List<Planned> chunk, Deadline deadline, Duration reserve, RefreshCounters c) {
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
                for (RefreshWork w : p.parts()) {
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
            for (RefreshWork w : chunk.get(i).parts()) {
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
}
