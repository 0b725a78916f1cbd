package dev.currentsbridge.cohorts.model;

import java.time.Instant;

/**
 * A Mixpanel cohort as this bridge knows it.
 *
 * @param appliedValue the attribute value every applied member carries in Braze once nothing is pending; when it
 *                     differs from the current value (a rename) all members are due to move to the new value
 * @param memberCount  members whose desired state is "in", as of the last refresh
 * @param pendingCount member changes not yet applied to Braze, as of the last refresh
 * @param dataPoints   Braze attribute changes written for this cohort, all time
 */
public record Cohort(
        String id,
        String name,
        String description,
        String projectId,
        SyncMode syncMode,
        CohortStatus status,
        Instant createdAt,
        Instant lastPostbackAt,
        Instant lastRefreshAt,
        long memberCount,
        long pendingCount,
        long dataPoints,
        String appliedValue,
        String lastError) {

    /** The value written into the Braze attribute for members of this cohort. */
    public String value(ValueSource source) {
        return source == ValueSource.ID || name == null || name.isBlank() ? id : name;
    }
}
