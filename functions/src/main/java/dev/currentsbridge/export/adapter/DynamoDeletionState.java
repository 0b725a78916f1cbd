package dev.currentsbridge.export.adapter;

import dev.currentsbridge.export.port.DeletionTask;
import dev.currentsbridge.export.port.DeletionStore;
import dev.currentsbridge.export.port.IdentityMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Deletion forwarding's state in the cohort table, as item families of their own (the export function may touch
 * only these keys: its policy limits {@code dynamodb:LeadingKeys}):
 * <ul>
 *   <li>{@code pk=idmap#<braze user id>, sk=idmap}: {@code external_id}, {@code expires_at} (TTL, 400 days; written
 *       again when less than 30 days are left, so an active user stays and a gone one is forgotten)</li>
 *   <li>{@code pk=suppressed, sk=<external id>}: the suppression list (no TTL: a deleted user stays suppressed)</li>
 *   <li>{@code pk=deletion-tasks, sk=<task id>}: {@code distinct_ids}, {@code compliance_type}, {@code status},
 *       {@code submitted_at}, {@code checked_at}; {@code expires_at} 90 days after the task finished</li>
 * </ul>
 * {@link #remember} reads before it writes (a read unit costs a fifth of a write unit) and writes only a new or
 * changed pair; the {@code CachedIdentityMap} in front spares the read for users the container has seen. The
 * suppression list is read whole (one Query) at most every {@code reloadEvery}, so the check per event costs
 * nothing; a suppression written by another container is seen within that time.
 */
public final class DynamoDeletionState implements IdentityMap, DeletionStore {

    static final String IDMAP_PREFIX = "idmap#";
    static final String IDMAP_SK = "idmap";
    static final String SUPPRESSED_PK = "suppressed";
    static final String TASKS_PK = "deletion-tasks";
    static final Duration IDMAP_TTL = Duration.ofDays(400);
    static final Duration IDMAP_RENEW_BEFORE = Duration.ofDays(30);
    static final Duration FINISHED_TASK_TTL = Duration.ofDays(90);

    private final DynamoDbClient db;
    private final String table;
    private final Clock clock;
    private final Duration reloadEvery;
    private final AtomicLong writes = new AtomicLong();
    private Set<String> suppressedCache;
    private Instant suppressedLoadedAt;

    public DynamoDeletionState(DynamoDbClient db, String table, Clock clock, Duration reloadEvery) {
        this.db = db;
        this.table = table;
        this.clock = clock;
        this.reloadEvery = reloadEvery;
    }

    public DynamoDeletionState(DynamoDbClient db, String table) {
        this(db, table, Clock.systemUTC(), Duration.ofMinutes(1));
    }

    /** Write requests sent so far (cost checks). */
    public long writeRequests() {
        return writes.get();
    }

    @Override
    public Optional<String> externalId(String brazeUserId) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(IDMAP_PREFIX + brazeUserId, IDMAP_SK))).item();
        return item == null || !item.containsKey("external_id") ? Optional.empty()
                : Optional.of(item.get("external_id").s());
    }

    @Override
    public void remember(String brazeUserId, String externalId) {
        Map<String, AttributeValue> key = key(IDMAP_PREFIX + brazeUserId, IDMAP_SK);
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).key(key)
                .projectionExpression("external_id, expires_at")).item();
        long now = clock.instant().getEpochSecond();
        if (item != null && item.containsKey("external_id") && externalId.equals(item.get("external_id").s())
                && item.containsKey("expires_at")
                && Long.parseLong(item.get("expires_at").n()) > now + IDMAP_RENEW_BEFORE.toSeconds()) {
            return;
        }
        Map<String, AttributeValue> put = new HashMap<>(key);
        put.put("external_id", AttributeValue.fromS(externalId));
        put.put("expires_at", AttributeValue.fromN(Long.toString(now + IDMAP_TTL.toSeconds())));
        db.putItem(b -> b.tableName(table).item(put));
        writes.incrementAndGet();
    }

    @Override
    public synchronized boolean suppressed(String externalId) {
        Instant now = clock.instant();
        if (suppressedCache == null || !now.isBefore(suppressedLoadedAt.plus(reloadEvery))) {
            Set<String> ids = new HashSet<>();
            for (Map<String, AttributeValue> item : query(SUPPRESSED_PK)) {
                ids.add(item.get("sk").s());
            }
            suppressedCache = ids;
            suppressedLoadedAt = now;
        }
        return suppressedCache.contains(externalId);
    }

    @Override
    public synchronized void suppress(String externalId) {
        Map<String, AttributeValue> item = new HashMap<>(key(SUPPRESSED_PK, externalId));
        item.put("suppressed_at", AttributeValue.fromS(clock.instant().toString()));
        db.putItem(b -> b.tableName(table).item(item));
        writes.incrementAndGet();
        if (suppressedCache != null) {
            suppressedCache.add(externalId);
        }
    }

    @Override
    public void saveTask(DeletionTask t) {
        Map<String, AttributeValue> item = new HashMap<>(key(TASKS_PK, t.taskId()));
        item.put("distinct_ids", AttributeValue.fromN(Integer.toString(t.distinctIds())));
        item.put("compliance_type", AttributeValue.fromS(t.complianceType()));
        item.put("status", AttributeValue.fromS(t.status()));
        item.put("submitted_at", AttributeValue.fromS(t.submittedAt().toString()));
        item.put("checked_at", AttributeValue.fromS(t.checkedAt().toString()));
        if (t.finished()) {
            item.put("expires_at", AttributeValue.fromN(Long.toString(
                    clock.instant().plus(FINISHED_TASK_TTL).getEpochSecond())));
        }
        db.putItem(b -> b.tableName(table).item(item));
        writes.incrementAndGet();
    }

    @Override
    public List<DeletionTask> tasksToCheck(Instant checkedBefore, int max) {
        List<DeletionTask> due = new ArrayList<>();
        for (Map<String, AttributeValue> i : query(TASKS_PK)) {
            DeletionTask t = new DeletionTask(i.get("sk").s(), Integer.parseInt(i.get("distinct_ids").n()),
                    i.get("compliance_type").s(), i.get("status").s(), Instant.parse(i.get("submitted_at").s()),
                    Instant.parse(i.get("checked_at").s()));
            if (!t.finished() && t.checkedAt().isBefore(checkedBefore)) {
                due.add(t);
            }
        }
        return due.stream().sorted(Comparator.comparing(DeletionTask::checkedAt)).limit(max).toList();
    }

    private List<Map<String, AttributeValue>> query(String pk) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = db.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                    .exclusiveStartKey(from));
            out.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }
}
