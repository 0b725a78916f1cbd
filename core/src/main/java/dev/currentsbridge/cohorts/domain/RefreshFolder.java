package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.cohorts.port.PostbackLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Steps 1 and 2 of a {@link CohortRefresher} run: collects a leased cohort's settled events (change batches and
 * complete full-sync sessions) and folds them, in arrival order, into its member map. Writes nothing.
 */
final class RefreshFolder {

    private static final Duration SETTLE = CohortRefresher.SETTLE;
    private static final Duration SESSION_MAX_AGE = CohortRefresher.SESSION_MAX_AGE;

    private final PostbackLog postbacks;
    private final Membership membership;

    RefreshFolder(PostbackLog postbacks, Membership membership) {
        this.postbacks = postbacks;
        this.membership = membership;
    }

    private record Event(Instant at, String key, ChangeBatch change, SyncSession session, Set<MemberRef> snapshot) {
    }

    /** The number of events folded into {@code w}. */
    int fold(RefreshWork w, Instant now) {
        String id = w.cohort.id();
        Instant settledBefore = now.minus(SETTLE);
        Instant watermark = membership.foldedThrough(id).orElse(null);
        List<Event> events = new ArrayList<>();
        for (ChangeBatch ch : postbacks.unfoldedChanges(id)) {
            if (ch.receivedAt().isAfter(settledBefore)) {
                w.unfoldedRemain = true;
            } else if (watermark != null && !ch.receivedAt().isAfter(watermark)) {
                w.foldedKeys.add(ch.key()); // folded by a run that died before marking it
            } else {
                events.add(new Event(ch.receivedAt(), ch.key(), ch, null, null));
            }
        }
        for (SyncSession s : postbacks.openSessions(id)) {
            List<SessionPage> pages = postbacks.sessionPages(id, s.sessionId());
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
        // Assigned only once wholly read: a read that fails midway must not leave an empty or partial map that a
        // write-back would take for the cohort's membership (counts 0, nothing pending, value applied).
        Map<MemberRef, Member> stored = new HashMap<>();
        for (Member m : membership.allMembers(id)) {
            stored.put(m.ref(), m);
        }
        w.members = stored;
        w.desiredBefore = w.members.values().stream().filter(Member::desired).count();
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
                w.sawSnapshot = true;
            }
            w.foldedThrough = e.at;
        }
        return events.size();
    }
}
