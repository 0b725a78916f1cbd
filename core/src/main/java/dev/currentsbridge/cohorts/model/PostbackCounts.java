package dev.currentsbridge.cohorts.model;

/**
 * What the postback log holds for one cohort, kept up to date as postbacks are written and folded (the status
 * route reads these instead of counting records).
 *
 * @param queuedChanges  change batches not yet folded into membership
 * @param openSessions   full syncs still waiting for pages or for the refresh
 * @param skippedMembers members skipped since the cohort was first seen because they had no usable id
 */
public record PostbackCounts(long queuedChanges, long openSessions, long skippedMembers) {

    public static final PostbackCounts NONE = new PostbackCounts(0, 0, 0);
}
