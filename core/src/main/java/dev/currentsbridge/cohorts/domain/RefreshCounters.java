package dev.currentsbridge.cohorts.domain;

/** What one {@link CohortRefresher} run counted across its cohorts (reported and emitted as metrics). */
final class RefreshCounters {
    int cohortsRefreshed;
    int skipped;
    int events;
    int finalised;
    int expired;
    int requests;
    int throttled;
    long dataPoints;
    long rejected;
    long stillPending;
    long unmatched;
    long overArrayCap;
    int held;
    boolean stoppedEarly;
    /** Set when Braze's answer said the configuration or Braze is wrong: nothing more is sent this run. */
    String halt;
}
