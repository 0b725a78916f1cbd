package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SyncSession;
import java.time.Instant;
import java.util.ArrayList;
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

    RefreshWork(Cohort cohort, String value) {
        this.cohort = cohort;
        this.value = value;
    }

    void put(Member m) {
        members.put(m.ref(), m);
        dirty.add(m.ref());
    }
}
