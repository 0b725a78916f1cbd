package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.ValueSource;
import dev.currentsbridge.cohorts.port.Membership;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a user's cohort values within Braze's array cap ({@code COHORT_ARRAY_MAX}): over the cap Braze silently
 * drops the oldest values, so an add that would overflow is not sent; the member stays pending (sent as soon as a
 * removal makes room) and is counted per cohort ({@code over_array_cap}, metric {@code CohortArrayCapExceeded}).
 *
 * <p>While the cohorts have no more distinct values than the cap, no user can overflow and the guard costs nothing.
 * Otherwise it counts, once per run, the values the bridge may have written for each user (applied and unconfirmed
 * values, in every cohort): one map entry per distinct user, read one cohort at a time. Two cohorts sharing a value
 * count twice (conservative).
 */
final class ArrayCapGuard {

    private final int cap;
    /** Null when the guard is off (too few values to overflow). */
    private final Map<MemberRef, Integer> held;

    private ArrayCapGuard(int cap, Map<MemberRef, Integer> held) {
        this.cap = cap;
        this.held = held;
    }

    static ArrayCapGuard of(List<Cohort> cohorts, ValueSource source, Membership membership, int cap) {
        Set<String> values = new HashSet<>();
        for (Cohort c : cohorts) {
            values.add(c.value(source));
            if (c.appliedValue() != null) {
                values.add(c.appliedValue());
            }
        }
        if (values.size() <= cap) {
            return new ArrayCapGuard(cap, null);
        }
        Map<MemberRef, Integer> held = new HashMap<>();
        for (Cohort c : cohorts) {
            for (Member m : membership.allMembers(c.id())) {
                int n = (m.applied() == null ? 0 : 1) + (int) m.maybeHeld().stream().filter(v -> !v.equals(m.applied())).count();
                if (n > 0) {
                    held.merge(m.ref(), n, Integer::sum);
                }
            }
        }
        return new ArrayCapGuard(cap, held);
    }

    /** False when adding {@code adds} and removing {@code removes} values would leave the user over the cap. */
    boolean admits(MemberRef user, int adds, int removes) {
        return held == null || adds == 0 || held.getOrDefault(user, 0) + adds - removes <= cap;
    }

    /** Braze applied the change: the user's count moves by {@code adds - removes}. */
    void applied(MemberRef user, int adds, int removes) {
        if (held != null && adds != removes) {
            held.merge(user, adds - removes, (a, b) -> Math.max(0, a + b));
        }
    }
}
