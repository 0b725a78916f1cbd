package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers.AttributeUpdate;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Step 3 of a {@link CohortRefresher} run, for one group of cohorts: combines their pending changes per user into
 * one attributes object each, sends at most {@code BRAZE_OBJECTS_PER_REQUEST} per request and records Braze's
 * answer (classified by meaning, see {@link TrackResult}) on the member map.
 *
 * <p>Before a request its members are written as <em>unconfirmed</em> (the values it may write): if Braze applies
 * it and the run then dies, or the member write-back fails, the store still knows the value may be in Braze and a
 * later run removes it if no longer wanted. An answer that proves nothing was applied restores the members.
 */
final class BrazeApplier {

    private static final Duration MIN_CALL_TIME = CohortRefresher.MIN_CALL_TIME;
    private static final int MAX_FAILED_ATTEMPTS = 3;
    private static final int MAX_THROTTLED_ATTEMPTS = 8;
    /** The shared policy's Braze schedule (1 s doubling to 30 s, with jitter). */
    private static final RetryPolicy BACKOFF = RetryPolicy.braze(RandomGenerator.getDefault());

    private static final Log LOG = Log.get(CohortRefresher.class);

    private final BrazeUsers braze;
    private final Membership membership;
    private final CohortSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;

    BrazeApplier(BrazeUsers braze, Membership membership, CohortSettings settings, Clock clock, Sleeper sleeper) {
        this.braze = braze;
        this.membership = membership;
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** One user's combined attributes object and the cohort memberships it carries. */
    private record Planned(AttributeUpdate update, List<RefreshWork> parts) {
    }

    /** One request's fate: sent on (answered), or the run stops sending. */
    private enum Sent { ANSWERED, STOP }

    void apply(List<RefreshWork> works, Deadline deadline, RefreshCounters c, ArrayCapGuard cap) {
        List<Planned> plan = plan(works, cap);
        long writes = works.stream().filter(w -> w.members != null).mapToLong(w -> w.dirty.size()).sum() + 2L * plan.size();
        // Keep time to write back what we did: roughly 20 ms per 25-item batch, plus the per-cohort updates.
        Duration reserve = Duration.ofMillis(3000 + 20 * (writes / 25 + 5L * works.size()));
        int perRequest = settings.objectsPerRequest();
        for (int from = 0; from < plan.size(); from += perRequest) {
            List<Planned> chunk = plan.subList(from, Math.min(plan.size(), from + perRequest));
            writeIntents(chunk);
            if (send(chunk, deadline, reserve, c, cap, false) == Sent.STOP) {
                c.stoppedEarly = true;
                return;
            }
        }
    }

    private List<Planned> plan(List<RefreshWork> works, ArrayCapGuard cap) {
        Map<MemberRef, List<RefreshWork>> byUser = new LinkedHashMap<>();
        for (RefreshWork w : works) {
            if (w.members == null || w.held()) {
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
            if (!cap.admits(ref, add.size(), remove.size())) {
                parts.stream().filter(w -> w.members.get(ref).wanted(w.value) != null).forEach(w -> w.overArrayCap++);
                return; // stays pending; sent once a removal makes room
            }
            plan.add(new Planned(new AttributeUpdate(ref, settings.attribute(), List.copyOf(add), List.copyOf(remove)),
                    parts));
        });
        return plan;
    }

    /** The write-ahead: the store learns what the request may write before Braze sees it. */
    private void writeIntents(List<Planned> chunk) {
        Instant now = clock.instant();
        Map<RefreshWork, List<Member>> intents = new LinkedHashMap<>();
        for (Planned p : chunk) {
            for (RefreshWork w : p.parts()) {
                Member m = w.members.get(p.update().member());
                intents.computeIfAbsent(w, k -> new ArrayList<>()).add(m.unconfirmed(m.wanted(w.value), now));
            }
        }
        intents.forEach((w, members) -> membership.writeMembers(w.cohort.id(), members));
    }

    /** Sends one request until it is answered; STOP when the run must stop sending (deadline, configuration). */
    private Sent send(List<Planned> chunk, Deadline deadline, Duration reserve, RefreshCounters c, ArrayCapGuard cap,
                      boolean unansweredBefore) {
        List<AttributeUpdate> updates = chunk.stream().map(Planned::update).toList();
        int failed = 0;
        int throttled = 0;
        boolean unanswered = unansweredBefore; // a request failed in a way that Braze may still have applied it
        while (true) {
            if (!deadline.allows(MIN_CALL_TIME, reserve)) {
                return giveUp(chunk, unanswered);
            }
            c.requests++;
            TrackResult result = braze.track(updates);
            switch (result) {
                case TrackResult.Ok ok -> {
                    record(chunk, ok.rejected(), cap);
                    return Sent.ANSWERED;
                }
                case TrackResult.Throttled t -> {
                    c.throttled++;
                    throttled++;
                    Duration wait = BACKOFF.delay(throttled, Optional.ofNullable(t.retryAfter()));
                    if (throttled > MAX_THROTTLED_ATTEMPTS || !deadline.allows(wait.plus(MIN_CALL_TIME), reserve)) {
                        LOG.warn("braze throttled; leaving changes pending", "wait_ms", wait.toMillis());
                        return giveUp(chunk, unanswered);
                    }
                    sleep(wait);
                }
                case TrackResult.Unavailable f -> {
                    failed++;
                    unanswered = true;
                    Duration wait = BACKOFF.delay(failed, Optional.empty());
                    if (failed >= MAX_FAILED_ATTEMPTS || !deadline.allows(wait.plus(MIN_CALL_TIME), reserve)) {
                        noteError(chunk, "braze unavailable: " + f.reason());
                        return giveUp(chunk, true);
                    }
                    sleep(wait);
                }
                case TrackResult.PayloadRefused f -> {
                    if (chunk.size() == 1) {
                        record(chunk, Map.of(0, "braze refused: " + f.reason()), cap);
                        return Sent.ANSWERED;
                    }
                    // Which object Braze refuses is not said: halve until the refused ones stand alone.
                    int half = chunk.size() / 2;
                    if (send(chunk.subList(0, half), deadline, reserve, c, cap, unanswered) == Sent.STOP) {
                        return giveUp(chunk.subList(half, chunk.size()), unanswered);
                    }
                    return send(chunk.subList(half, chunk.size()), deadline, reserve, c, cap, unanswered);
                }
                case TrackResult.Misconfigured f -> {
                    c.halt = f.reason();
                    noteError(chunk, f.reason());
                    LOG.error("braze answer says the configuration is wrong; stopping with every change pending",
                            "status", f.status(), "reason", f.reason());
                    return giveUp(chunk, unanswered);
                }
            }
        }
    }

    /**
     * Stops sending this chunk. When an attempt went unanswered, Braze may have applied it: its members stay
     * unconfirmed (as written ahead), so a later run removes the attempted value if Mixpanel no longer wants it.
     * Otherwise nothing reached Braze and the members written ahead are restored.
     */
    private Sent giveUp(List<Planned> chunk, boolean unanswered) {
        Instant now = clock.instant();
        for (Planned p : chunk) {
            for (RefreshWork w : p.parts()) {
                Member m = w.members.get(p.update().member());
                if (unanswered) {
                    w.put(m.unconfirmed(m.wanted(w.value), now));
                } else {
                    w.put(m); // back over the write-ahead
                }
            }
        }
        return Sent.STOP;
    }

    private void record(List<Planned> chunk, Map<Integer, String> rejected, ArrayCapGuard cap) {
        Instant now = clock.instant();
        for (int i = 0; i < chunk.size(); i++) {
            String reason = rejected.get(i);
            AttributeUpdate u = chunk.get(i).update();
            if (reason == null) {
                cap.applied(u.member(), u.add().size(), u.remove().size());
            }
            for (RefreshWork w : chunk.get(i).parts()) {
                Member m = w.members.get(u.member());
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
