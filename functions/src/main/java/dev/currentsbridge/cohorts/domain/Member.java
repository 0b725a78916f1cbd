package dev.currentsbridge.cohorts.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One user's state in one cohort. {@code desired} is what Mixpanel says (in or out); {@code applied} is the
 * attribute value this bridge last wrote to Braze for the user (null: none). A change is pending while the
 * two disagree, unless Braze already rejected exactly that change ({@code rejectedFor}), which waits for the
 * next change of {@code desired} instead of being retried every run.
 */
public record Member(MemberRef ref, boolean desired, String applied, String rejectedFor, String rejectReason,
                     Instant updatedAt) {

    public Member {
        Objects.requireNonNull(ref);
    }

    public static Member joining(MemberRef ref, Instant at) {
        return new Member(ref, true, null, null, null, at);
    }

    /** The value Braze should hold for this user, or null for none. */
    public String wanted(String cohortValue) {
        return desired ? cohortValue : null;
    }

    public boolean pending(String cohortValue) {
        String want = wanted(cohortValue);
        return !Objects.equals(want, applied) && !signature(want).equals(rejectedFor);
    }

    /** An out-member with nothing in Braze carries no information: the store deletes it. */
    public boolean removable() {
        return !desired && applied == null;
    }

    public Member withDesired(boolean d, Instant at) {
        if (d == desired) {
            return this;
        }
        return new Member(ref, d, applied, null, null, at);
    }

    public Member appliedAs(String value, Instant at) {
        return new Member(ref, desired, value, null, null, at);
    }

    public Member rejected(String cohortValue, String reason, Instant at) {
        return new Member(ref, desired, applied, signature(wanted(cohortValue)), reason, at);
    }

    static String signature(String want) {
        return want == null ? "-" : "+" + want;
    }
}
