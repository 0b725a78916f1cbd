package dev.currentsbridge.export.port;

import java.time.Instant;
import java.util.List;

/**
 * What deletion forwarding keeps between invocations: the suppression list (external ids whose later events are
 * skipped as {@code deleted_user}, because a Mixpanel deletion does not stop later collection) and the Mixpanel
 * deletion tasks with their last known status.
 */
public interface DeletionStore {

    boolean suppressed(String externalId);

    void suppress(String externalId);

    /** Stores a new task or the new status of a known one. */
    void saveTask(DeletionTask task);

    /** Unfinished tasks last checked before {@code checkedBefore}, oldest check first, at most {@code max}. */
    List<DeletionTask> tasksToCheck(Instant checkedBefore, int max);
}
