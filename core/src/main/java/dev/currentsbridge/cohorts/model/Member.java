package dev.currentsbridge.cohorts.model;

import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

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
        if (unconfirmed()) {
            return true; // Braze may hold the attempted value or the applied one: send again until it answers
        }
        String want = wanted(cohortValue);
        return !Objects.equals(want, applied) && !signature(want).equals(rejectedFor);
    }

    /** An out-member with nothing in Braze carries no information: the store deletes it. */
    public boolean removable() {
        return !desired && applied == null && !unconfirmed();
    }

    public Member withDesired(boolean d, Instant at) {
        if (d == desired) {
            return this;
        }
        // An unconfirmed attempt survives: its value may be in Braze and must be removed if no longer wanted.
        return new Member(ref, d, applied, unconfirmed() ? rejectedFor : null, null, at);
    }

    /**
     * A request carrying this member's change got no answer (timeout, reset, 5xx): Braze may or may not have
     * applied {@code attempted}. The member stays pending, and every value an unanswered request may have written
     * is removed later if no longer wanted.
     */
    public Member unconfirmed(String attempted, Instant at) {
        TreeSet<String> held = new TreeSet<>(maybeHeld());
        if (attempted != null) {
            held.add(attempted);
        }
        return new Member(ref, desired, applied, UNCONFIRMED + encode(held), null, at);
    }

    public boolean unconfirmed() {
        return rejectedFor != null && rejectedFor.startsWith(UNCONFIRMED);
    }

    /** The values unanswered requests may have written to Braze (besides {@code applied}). */
    public List<String> maybeHeld() {
        if (!unconfirmed()) {
            return List.of();
        }
        try {
            return List.of(Json.MAPPER.readValue(rejectedFor.substring(UNCONFIRMED.length()), String[].class));
        } catch (IOException e) {
            throw new IllegalStateException("malformed unconfirmed marker", e);
        }
    }

    private static String encode(Collection<String> values) {
        try {
            return Json.MAPPER.writeValueAsString(values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Member appliedAs(String value, Instant at) {
        return new Member(ref, desired, value, null, null, at);
    }

    public Member rejected(String cohortValue, String reason, Instant at) {
        return new Member(ref, desired, applied, signature(wanted(cohortValue)), reason, at);
    }

    /** Prefix of {@code rejectedFor} for an unconfirmed attempt (a signature starts with '+' or '-'). */
    private static final String UNCONFIRMED = "?";

    static String signature(String want) {
        return want == null ? "-" : "+" + want;
    }
}
