package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * What postbacks append: incremental change batches and full-sync session pages, each stored once per idempotent
 * key (a re-sent postback finds its record already there), until the refresh folds them into membership.
 */
public interface PostbackLog {

    /** Stores an incremental change unless its key is already stored and unexpired; false = duplicate. */
    boolean recordChange(ChangeBatch change, Instant now);

    List<ChangeBatch> unfoldedChanges(String cohortId);

    void markFolded(String cohortId, Collection<String> changeKeys);

    PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now);

    List<SyncSession> openSessions(String cohortId);

    List<SessionPage> sessionPages(String cohortId, String sessionId);

    void closeSession(String cohortId, String sessionId, SyncSession.Status status);

    /**
     * The cohort's latest postback (its fingerprint and sequence number; {@link Sequence#NONE} before the first),
     * for telling a re-send of it from a genuine repeat of an earlier change (see {@code PostbackService}).
     */
    Sequence lastPostback(String cohortId);

    /** Records {@code fingerprint} as the cohort's latest postback, number {@code number}, unless one numbered
     * {@code number} or higher is recorded already (a concurrent postback got there first). */
    void advancePostbacks(String cohortId, String fingerprint, long number);

    /** A cohort's latest postback: {@code fingerprint} null and {@code number} 0 before the first. */
    record Sequence(String fingerprint, long number) {
        public static final Sequence NONE = new Sequence(null, 0);
    }

    /** What happened to a full-sync page. */
    enum PageReceipt {
        STORED, DUPLICATE,
        /** The page disagrees with the session's page count. */
        CONFLICT,
        /** The session was already finalised or expired; the page is ignored. */
        CLOSED
    }
}
