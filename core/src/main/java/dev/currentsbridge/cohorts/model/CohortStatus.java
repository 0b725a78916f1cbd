package dev.currentsbridge.cohorts.model;

/**
 * Where a cohort stands. {@code ACTIVE}: postbacks arrive and are applied. {@code STALE}: a dynamic cohort
 * that has had no postback for longer than the configured number of refresh intervals (Mixpanel may have
 * stopped the sync). {@code APPLIED}: a one-time cohort whose changes all reached Braze; the refresh skips it
 * until a new postback arrives. {@code HELD}: a full sync would remove too many members (mass-removal safeguard);
 * nothing of the cohort is applied until an operator confirms or a later sync no longer needs it (derived from
 * {@link Cohort#heldRemovals()}, see {@link Cohort#effectiveStatus()}).
 */
public enum CohortStatus {
    ACTIVE, STALE, APPLIED, HELD;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static CohortStatus fromWire(String s) {
        return s == null ? ACTIVE : valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
