package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.COHORTS_PK;
import static dev.currentsbridge.cohorts.adapter.CohortItems.cohortKey;
import static dev.currentsbridge.cohorts.adapter.CohortItems.countsKey;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.num;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;
import static dev.currentsbridge.cohorts.adapter.CohortItems.str;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.PostbackCounts;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link CohortRegistry} on the cohort items of the cohort table (pk {@code cohorts}, see {@link CohortItems}), and
 * the postback counts items beside them ({@code counts#<cohortId>}).
 */
public final class DynamoCohortRegistry implements CohortRegistry {

    private final CohortTable table;

    public DynamoCohortRegistry(CohortTable table) {
        this.table = table;
    }

    @Override
    public void upsertCohort(CohortUpsert u, SyncMode defaultMode) {
        UpdateExpression up = new UpdateExpression()
                .set("cohort_id", s(u.cohortId()))
                .set("last_postback_at", n(u.at()))
                .set("#status", s(CohortStatus.ACTIVE.wire()))
                .setIfAbsent("sync_mode", s(defaultMode.wire()))
                .setIfAbsent("created_at", n(u.at()))
                .setIfAbsent("member_count", n(0))
                .setIfAbsent("pending_count", n(0))
                .setIfAbsent("data_points", n(0));
        if (u.name() != null) {
            up.set("#name", s(u.name()));
        }
        if (u.description() != null) {
            up.set("description", s(u.description()));
        }
        if (u.projectId() != null) {
            up.set("project_id", s(u.projectId()));
        }
        table.update(cohortKey(u.cohortId()), up, null);
    }

    @Override
    public Optional<Cohort> findCohort(String cohortId) {
        Map<String, AttributeValue> item = table.get(cohortKey(cohortId), null);
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(cohort(item));
    }

    @Override
    public List<Cohort> listCohorts() {
        return table.query(COHORTS_PK, "cohort#", null).stream().map(DynamoCohortRegistry::cohort).toList();
    }

    @Override
    public boolean setSyncMode(String cohortId, SyncMode mode) {
        UpdateExpression up = new UpdateExpression().set("sync_mode", s(mode.wire()));
        if (mode == SyncMode.DYNAMIC) {
            up.set("#status", s(CohortStatus.ACTIVE.wire())); // an applied one-time cohort becomes refreshable again
        }
        return table.tryUpdate(cohortKey(cohortId), up, "attribute_exists(pk)");
    }

    @Override
    public boolean confirmRemovals(String cohortId) {
        UpdateExpression up = new UpdateExpression().set("removals_confirmed", AttributeValue.fromBool(true));
        return table.tryUpdate(cohortKey(cohortId), up, "attribute_exists(pk)");
    }

    @Override
    public void recordRefresh(String cohortId, RefreshOutcome o) {
        Map<String, AttributeValue> k = cohortKey(cohortId);
        if (o.status() != CohortStatus.ACTIVE) {
            // Applied or stale only if no postback reactivated the cohort while the run was going.
            UpdateExpression up = refreshUpdate(o, o.status()).value(":refreshed", n(o.refreshedAt()));
            if (table.tryUpdate(k, up, "attribute_exists(pk) AND last_postback_at <= :refreshed")) {
                return;
            }
            table.tryUpdate(k, refreshUpdate(o, CohortStatus.ACTIVE), "attribute_exists(pk)");
            return;
        }
        table.tryUpdate(k, refreshUpdate(o, o.status()), "attribute_exists(pk)");
    }

    private static UpdateExpression refreshUpdate(RefreshOutcome o, CohortStatus status) {
        UpdateExpression up = new UpdateExpression()
                .set("last_refresh_at", n(o.refreshedAt()))
                .set("member_count", n(o.memberCount()))
                .set("pending_count", n(o.pendingCount()))
                .set("#status", s(status.wire()))
                .setOrRemove("applied_value", o.appliedValue() == null ? null : s(o.appliedValue()))
                .setOrRemove("last_error", o.lastError() == null ? null : s(o.lastError()))
                .set("unmatched_count", n(o.unmatchedCount()))
                .set("over_array_cap", n(o.overArrayCap()))
                .set("held_removals", n(o.heldRemovals()))
                .add("data_points", n(o.addDataPoints()));
        return o.confirmationUsed() ? up.remove("removals_confirmed") : up;
    }

    private static Cohort cohort(Map<String, AttributeValue> i) {
        return new Cohort(i.get("cohort_id").s(), str(i, "name"), str(i, "description"), str(i, "project_id"),
                SyncMode.parse(str(i, "sync_mode")).orElse(SyncMode.DYNAMIC), CohortStatus.fromWire(str(i, "status")),
                instant(i, "created_at"), instant(i, "last_postback_at"), instant(i, "last_refresh_at"),
                num(i, "member_count"), num(i, "pending_count"), num(i, "data_points"), str(i, "applied_value"),
                str(i, "last_error"), num(i, "unmatched_count"), num(i, "over_array_cap"), num(i, "held_removals"),
                i.containsKey("removals_confirmed") && Boolean.TRUE.equals(i.get("removals_confirmed").bool()));
    }

    @Override
    public void countSkippedMembers(String cohortId, long n) {
        if (n > 0) {
            table.update(countsKey(cohortId), new UpdateExpression().add("skipped_members", n(n)), null);
        }
    }

    /** One GetItem of the counts item that {@link DynamoPostbackLog} keeps as it writes and folds records. */
    @Override
    public PostbackCounts postbackCounts(String cohortId) {
        Map<String, AttributeValue> item = table.get(countsKey(cohortId), null);
        return item == null || item.isEmpty() ? PostbackCounts.NONE : postbackCounts(item);
    }

    /** One Query of the {@code counts#} items, for every cohort at once. */
    @Override
    public Map<String, PostbackCounts> allPostbackCounts() {
        Map<String, PostbackCounts> out = new java.util.LinkedHashMap<>();
        for (Map<String, AttributeValue> item : table.query(COHORTS_PK, "counts#", null)) {
            out.put(item.get("sk").s().substring("counts#".length()), postbackCounts(item));
        }
        return out;
    }

    private static PostbackCounts postbackCounts(Map<String, AttributeValue> item) {
        return new PostbackCounts(Math.max(0, num(item, "queued_changes")), Math.max(0, num(item, "open_sessions")),
                num(item, "skipped_members"));
    }
}
