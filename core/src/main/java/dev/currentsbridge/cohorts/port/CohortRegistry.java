package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.PostbackCounts;
import dev.currentsbridge.cohorts.model.SyncMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cohort records: what postbacks say about a cohort (name, description, project), its sync mode and status,
 * and what the last refresh found. Every write is a single-item conditional write.
 */
public interface CohortRegistry {

    /** Creates the cohort (sync mode {@code defaultMode}) or updates what the postback says; reactivates it. */
    void upsertCohort(CohortUpsert upsert, SyncMode defaultMode);

    Optional<Cohort> findCohort(String cohortId);

    List<Cohort> listCohorts();

    /** False when the cohort does not exist. */
    boolean setSyncMode(String cohortId, SyncMode mode);

    /** Records an operator's confirmation of held removals; false when the cohort does not exist. */
    boolean confirmRemovals(String cohortId);

    /**
     * Saves what a refresh found; {@code outcome.addDataPoints()} is added to the running total. A status other
     * than active is only kept if no postback arrived after {@code outcome.refreshedAt()} (else: active). The
     * counts (unmatched, over the array cap, held removals) replace the stored ones; {@code confirmationUsed}
     * clears an operator's confirmation (the run applied what it confirmed).
     */
    void recordRefresh(String cohortId, RefreshOutcome outcome);

    /** Adds {@code n} to the cohort's count of members skipped for want of a usable id. */
    void countSkippedMembers(String cohortId, long n);

    /**
     * The cohort's postback counts as kept when postback records are written and folded (no recount;
     * {@link PostbackCounts#NONE} for an unknown cohort). They can be off after a crash between a record's write
     * and its count's, until the refresh next reads the cohort's records, which sets them right.
     */
    PostbackCounts postbackCounts(String cohortId);

    /** {@link #postbackCounts} of every cohort with any, by cohort id, in one read. */
    Map<String, PostbackCounts> allPostbackCounts();

    record RefreshOutcome(Instant refreshedAt, long memberCount, long pendingCount, CohortStatus status,
                          String appliedValue, long addDataPoints, String lastError, long unmatchedCount,
                          long overArrayCap, long heldRemovals, boolean confirmationUsed) {
    }
}
