package dev.currentsbridge.cohorts.model;

/**
 * Where a cohort stands. {@code ACTIVE}: postbacks arrive and are applied. {@code STALE}: a dynamic cohort
 * that has had no postback for longer than the configured number of refresh intervals (Mixpanel may have
 * stopped the sync). {@code APPLIED}: a one-time cohort whose changes all reached Braze; the refresh skips it
 * until a new postback arrives.
 */
public enum CohortStatus {
    ACTIVE, STALE, APPLIED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static CohortStatus fromWire(String s) {
        return s == null ? ACTIVE : valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
