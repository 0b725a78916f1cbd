package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.cohortKey;
import static dev.currentsbridge.cohorts.adapter.CohortItems.cohortPk;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.key;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;
import static dev.currentsbridge.cohorts.adapter.CohortItems.str;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.Membership;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link Membership} on the cohort table: member items ({@code member#...} in the cohort's partition), the lease
 * and the fold watermark (attributes {@code lease_until}, {@code folded_through} of the cohort item); see
 * {@link CohortItems}.
 */
public final class DynamoMembership implements Membership {

    private final CohortTable table;

    public DynamoMembership(CohortTable table) {
        this.table = table;
    }

    @Override
    public boolean acquireLease(String cohortId, Instant now, Instant until) {
        return table.tryUpdate(cohortKey(cohortId),
                new UpdateExpression().set("lease_until", n(until)).value(":now", n(now)),
                "attribute_exists(pk) AND (attribute_not_exists(lease_until) OR lease_until < :now)");
    }

    @Override
    public void releaseLease(String cohortId) {
        table.tryUpdate(cohortKey(cohortId), new UpdateExpression().remove("lease_until"), "attribute_exists(pk)");
    }

    @Override
    public Optional<Instant> foldedThrough(String cohortId) {
        return Optional.ofNullable(instant(table.get(cohortKey(cohortId), "folded_through"), "folded_through"));
    }

    @Override
    public void setFoldedThrough(String cohortId, Instant through) {
        table.tryUpdate(cohortKey(cohortId), new UpdateExpression().set("folded_through", n(through)),
                "attribute_exists(pk)");
    }

    @Override
    public List<Member> allMembers(String cohortId) {
        return table.query(cohortPk(cohortId), "member#", null).stream().map(DynamoMembership::member).toList();
    }

    @Override
    public MemberPage members(String cohortId, String afterKey, int limit) {
        QueryResponse r = table.queryPage(cohortPk(cohortId), "member#",
                afterKey == null ? null : key(cohortPk(cohortId), "member#" + afterKey), limit);
        List<Member> members = r.items().stream().map(DynamoMembership::member).toList();
        String next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() && !members.isEmpty()
                ? members.get(members.size() - 1).ref().storageKey() : null;
        return new MemberPage(members, next);
    }

    @Override
    public void writeMembers(String cohortId, Collection<Member> members) {
        List<WriteRequest> requests = new ArrayList<>(members.size());
        for (Member m : members) {
            Map<String, AttributeValue> k = key(cohortPk(cohortId), "member#" + m.ref().storageKey());
            if (m.removable()) {
                requests.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(k).build()).build());
            } else {
                Map<String, AttributeValue> item = new HashMap<>(k);
                item.put("desired", AttributeValue.fromBool(m.desired()));
                if (m.applied() != null) {
                    item.put("applied", s(m.applied()));
                }
                if (m.rejectedFor() != null) {
                    item.put("rejected_for", s(m.rejectedFor()));
                }
                if (m.rejectReason() != null) {
                    // absent when null (an unconfirmed attempt has none), so it reads back as null, not ""
                    item.put("reject_reason", s(m.rejectReason()));
                }
                if (m.updatedAt() != null) {
                    item.put("updated_at", n(m.updatedAt()));
                }
                requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
        }
        table.writeBatched(requests);
    }

    private static Member member(Map<String, AttributeValue> i) {
        return new Member(MemberRef.fromStorageKey(i.get("sk").s().substring("member#".length())),
                Boolean.TRUE.equals(i.get("desired").bool()), str(i, "applied"), str(i, "rejected_for"),
                str(i, "reject_reason"), instant(i, "updated_at"));
    }
}
