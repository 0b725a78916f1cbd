package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SyncSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The events and member map of one leased cohort during a {@link CohortRefresher} run. */
final class RefreshWork {
    final Cohort cohort;
    final String value;
    /** Null while the run needs no member items (nothing to fold, nothing pending). */
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

    // mass-removal safeguard (see CohortRefresher#hold)
    /** Members in the cohort before this run's events were folded. */
    long desiredBefore;
    /** A full sync (snapshot) was among the folded events. */
    boolean sawSnapshot;
    /** Members that were in before the fold (the first time the fold changed them). */
    private final Set<MemberRef> wasIn = new HashSet<>();
    /** The fold is held by the safeguard: nothing of it is sent or written. */
    long heldRemovals;
    boolean confirmationUsed;

    /** Members whose change waits because the user's values would exceed Braze's array cap. */
    long overArrayCap;

    RefreshWork(Cohort cohort, String value) {
        this.cohort = cohort;
        this.value = value;
    }

    void put(Member m) {
        Member before = members.put(m.ref(), m);
        if (dirty.add(m.ref()) && before != null && before.desired()) {
            wasIn.add(m.ref());
        }
    }

    /** Members the fold took out that were in before it. */
    long removalsByFold() {
        return wasIn.stream().filter(r -> !members.get(r).desired()).count();
    }

    boolean held() {
        return heldRemovals > 0;
    }

    /** The fold is done: the safeguard's bookkeeping is no longer needed. */
    void foldEvaluated() {
        wasIn.clear();
    }

    boolean anyPending() {
        return members != null && members.values().stream().anyMatch(m -> m.pending(value));
    }
}
