package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.ValueSource;
import dev.currentsbridge.cohorts.port.Membership;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps a user's cohort values within Braze's array cap ({@code COHORT_ARRAY_MAX}): over the cap Braze silently
 * drops the oldest values, so an add that would overflow is not sent; the member stays pending (sent as soon as a
 * removal makes room) and is counted per cohort ({@code over_array_cap}, metric {@code CohortArrayCapExceeded}).
 *
 * <p>A user holds at most one value per cohort (a rename adds the new value and removes the old in one object), so
 * while there are no more cohorts (or no more distinct values) than the cap nobody can overflow and the guard costs
 * nothing. Otherwise it counts, once per run, the values the bridge may have written for each user (applied and
 * unconfirmed values, in every cohort), reading one cohort's members at a time into a compact table of 12-byte
 * slots (a 64-bit hash of the user's key and a count), a quarter to half full: 24 to 48 bytes per distinct user. A
 * hash collision (odds about 3 in 10^8 for a million users) can only hold an add back, never lose one. Two cohorts
 * sharing a value count twice (conservative).
 */
final class ArrayCapGuard {

    private final int cap;
    /** Null when the guard is off (too few cohorts or values to overflow). */
    private final Counts held;

    private ArrayCapGuard(int cap, Counts held) {
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
        if (values.size() <= cap || cohorts.size() <= cap) {
            return new ArrayCapGuard(cap, null);
        }
        Counts held = new Counts();
        for (Cohort c : cohorts) {
            for (Member m : membership.allMembers(c.id())) {
                int n = (m.applied() == null ? 0 : 1) + (int) m.maybeHeld().stream().filter(v -> !v.equals(m.applied())).count();
                if (n > 0) {
                    held.add(m.ref(), n);
                }
            }
        }
        return new ArrayCapGuard(cap, held);
    }

    /** False when adding {@code adds} and removing {@code removes} values would leave the user over the cap. */
    boolean admits(MemberRef user, int adds, int removes) {
        return held == null || adds == 0 || held.get(user) + adds - removes <= cap;
    }

    /** Braze applied the change: the user's count moves by {@code adds - removes}. */
    void applied(MemberRef user, int adds, int removes) {
        if (held != null && adds != removes) {
            held.add(user, adds - removes);
        }
    }

    /** Per-user counts in open addressing: a 64-bit hash of the user's storage key -> count (never below 0). */
    static final class Counts {
        private long[] keys = new long[1024];
        private int[] counts = new int[1024];
        private int size;

        int get(MemberRef user) {
            int i = find(hash(user.storageKey()));
            return keys[i] == 0 ? 0 : counts[i];
        }

        void add(MemberRef user, int delta) {
            long h = hash(user.storageKey());
            int i = find(h);
            if (keys[i] == 0) {
                keys[i] = h;
                size++;
            }
            counts[i] = Math.max(0, counts[i] + delta);
            if (size * 2 > keys.length) {
                grow();
            }
        }

        private int find(long h) {
            int mask = keys.length - 1;
            int i = (int) (h ^ (h >>> 32)) & mask;
            while (keys[i] != 0 && keys[i] != h) {
                i = (i + 1) & mask;
            }
            return i;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldCounts = counts;
            keys = new long[oldKeys.length * 2];
            counts = new int[oldKeys.length * 2];
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != 0) {
                    int i = find(oldKeys[j]);
                    keys[i] = oldKeys[j];
                    counts[i] = oldCounts[j];
                }
            }
        }

        /** FNV-1a over the UTF-16 chars, then a final mix; never 0 (0 marks an empty slot). */
        static long hash(String s) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return h == 0 ? 1 : h;
        }
    }
}
