package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.Member;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Who is in a cohort and what Braze holds for them. Member items are written only by the refresh while it holds
 * the cohort's lease (one writer per cohort); the fold watermark says which postbacks they already include.
 */
public interface Membership {

    /** Takes the cohort's refresh lease if it is free or expired; false also when the cohort does not exist. */
    boolean acquireLease(String cohortId, Instant now, Instant until);

    void releaseLease(String cohortId);

    /** Events at or before this instant are already part of the member items (see {@code CohortRefresher}). */
    Optional<Instant> foldedThrough(String cohortId);

    void setFoldedThrough(String cohortId, Instant through);

    List<Member> allMembers(String cohortId);

    /** Members in key order after {@code afterKey} (exclusive; null = from the start). */
    MemberPage members(String cohortId, String afterKey, int limit);

    /** Puts each member, or deletes it when {@link Member#removable()}. */
    void writeMembers(String cohortId, Collection<Member> members);

    record MemberPage(List<Member> members, String nextKey) {
    }
}
