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
 * @param unmatchedCount    members whose change Braze did not take (unknown user, refused), as of the last refresh
 * @param overArrayCap      members whose change waits because the user's values would exceed Braze's array cap
 * @param heldRemovals      removals of a full sync held by the mass-removal safeguard (0: nothing held)
 * @param removalsConfirmed an operator confirmed the held removals; the next refresh applies them
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
        String lastError,
        long unmatchedCount,
        long overArrayCap,
        long heldRemovals,
        boolean removalsConfirmed) {

    /** The status as the operator sees it: {@code held} while the mass-removal safeguard holds a full sync. */
    public CohortStatus effectiveStatus() {
        return heldRemovals > 0 ? CohortStatus.HELD : status;
    }

    /** The value written into the Braze attribute for members of this cohort. */
    public String value(ValueSource source) {
        return source == ValueSource.ID || name == null || name.isBlank() ? id : name;
    }
}
