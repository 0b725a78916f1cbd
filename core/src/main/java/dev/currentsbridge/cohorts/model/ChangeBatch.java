package dev.currentsbridge.cohorts.model;

import java.time.Instant;
import java.util.List;

/**
 * One incremental postback (Mixpanel {@code add_members}/{@code remove_members}, Braze partner
 * {@code cohort_changes}) waiting to be folded into membership by the refresh.
 *
 * @param key        idempotency key: a re-sent postback has the same key and is stored only once
 * @param receivedAt orders folding; the first arrival of a key wins
 * @param expiresAt  when the dedupe record may go (DynamoDB TTL)
 */
public record ChangeBatch(String cohortId, String key, boolean add, List<MemberRef> members, Instant receivedAt,
                          Instant expiresAt) {
    public ChangeBatch {
        members = List.copyOf(members);
    }
}
