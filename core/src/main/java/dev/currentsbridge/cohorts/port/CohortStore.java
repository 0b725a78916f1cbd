package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.domain.ChangeBatch;
import dev.currentsbridge.cohorts.domain.Cohort;
import dev.currentsbridge.cohorts.domain.CohortUpsert;
import dev.currentsbridge.cohorts.domain.Member;
import dev.currentsbridge.cohorts.domain.SessionPage;
import dev.currentsbridge.cohorts.domain.SyncMode;
import dev.currentsbridge.cohorts.domain.SyncSession;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Cohort state. Every operation is a single-item conditional write or an idempotent batch, so correctness
 * never needs transactions. Postbacks only append (changes, pages) and touch the cohort's descriptive fields;
 * member items are written only by the refresh while it holds the cohort's lease (one writer per cohort).
 */
public interface CohortStore extends KeyStore {

    /** Creates the cohort (sync mode {@code defaultMode}) or updates what the postback says; reactivates it. */
    void upsertCohort(CohortUpsert upsert, SyncMode defaultMode);

    Optional<Cohort> findCohort(String cohortId);

    List<Cohort> listCohorts();

    /** False when the cohort does not exist. */
    boolean setSyncMode(String cohortId, SyncMode mode);

    /**
     * Saves what a refresh found; {@code outcome.addDataPoints()} is added to the running total. A status other
     * than active is only kept if no postback arrived after {@code outcome.refreshedAt()} (else: active).
     */
    void recordRefresh(String cohortId, RefreshOutcome outcome);

    /** Takes the cohort's refresh lease if it is free or expired. */
    boolean acquireLease(String cohortId, Instant now, Instant until);

    void releaseLease(String cohortId);

    /** Events at or before this instant are already part of the member items (see {@code CohortRefresher}). */
    Optional<Instant> foldedThrough(String cohortId);

    void setFoldedThrough(String cohortId, Instant through);

    /** Stores an incremental change unless its key is already stored and unexpired; false = duplicate. */
    boolean recordChange(ChangeBatch change, Instant now);

    List<ChangeBatch> unfoldedChanges(String cohortId);

    void markFolded(String cohortId, Collection<String> changeKeys);

    PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now);

    List<SyncSession> openSessions(String cohortId);

    List<SessionPage> sessionPages(String cohortId, String sessionId);

    void closeSession(String cohortId, String sessionId, SyncSession.Status status);

    List<Member> allMembers(String cohortId);

    /** Members in key order after {@code afterKey} (exclusive; null = from the start). */
    MemberPage members(String cohortId, String afterKey, int limit);

    /** Puts each member, or deletes it when {@link Member#removable()}. */
    void writeMembers(String cohortId, Collection<Member> members);

    /** What happened to a full-sync page. */
    enum PageReceipt {
        STORED, DUPLICATE,
        /** The page disagrees with the session's page count. */
        CONFLICT,
        /** The session was already finalised or expired; the page is ignored. */
        CLOSED
    }

    record MemberPage(List<Member> members, String nextKey) {
    }

    record RefreshOutcome(Instant refreshedAt, long memberCount, long pendingCount,
                          dev.currentsbridge.cohorts.domain.CohortStatus status, String appliedValue,
                          long addDataPoints, String lastError) {
    }
}
