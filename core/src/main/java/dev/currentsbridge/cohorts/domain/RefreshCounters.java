package dev.currentsbridge.cohorts.domain;

/** What one {@link CohortRefresher} run counted across its cohorts (reported and emitted as metrics). */
final class RefreshCounters {
    int finalised;
    int expired;
    int requests;
    int throttled;
    long stillPending;
    boolean stoppedEarly;
}
