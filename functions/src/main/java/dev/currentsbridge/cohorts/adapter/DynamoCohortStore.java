package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.port.CohortStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The cohort state in one DynamoDB table (single-table design, string keys {@code pk}/{@code sk}; TTL attribute
 * {@code expires_at}, epoch seconds, enabled by the infrastructure). Key design:
 *
 * <pre>
 * item            pk                                   sk                        notes
 * cohort          cohorts                              cohort#&lt;cohortId&gt;         one partition: listing is one Query
 * member          cohort#&lt;cohortId&gt;                   member#&lt;kind&gt;#&lt;userId&gt;   desired / applied state
 * change batch    cohort#&lt;cohortId&gt;                   change#&lt;sha256&gt;           idempotent key; folded flag; expires_at
 * sync session    cohort#&lt;cohortId&gt;                   session#&lt;sessionId&gt;       total_pages, status; expires_at
 * session page    session#&lt;len(cohortId)&gt;:&lt;cohortId&gt;#&lt;sessionId&gt;  page#&lt;000001&gt;  members of one page; expires_at
 * key             keys                                 key#&lt;keyId&gt;               SHA-256 only; revoked_at
 * </pre>
 *
 * <p>No transactions: every write is a single-item conditional write (first write of an idempotent key wins,
 * leases by condition on {@code lease_until}) or a BatchWriteItem of member items by the lease holder.
 * Instants are stored as epoch milliseconds (numbers compare correctly in conditions).
 */
public final class DynamoCohortStore implements CohortStore {

    private static final String COHORTS_PK = "cohorts";
    private static final String KEYS_PK = "keys";
    private static final int BATCH = 25;
    private static final int PARALLEL_BATCHES = 8;

    private final DynamoDbClient db;
    private final String table;
    private final AtomicLong writeRequests = new AtomicLong();

    public DynamoCohortStore(DynamoDbClient db, String table) {
        this.db = db;
        this.table = table;
    }

    /** DynamoDB write requests sent so far (PutItem, UpdateItem, BatchWriteItem calls), for cost checks. */
    public long writeRequests() {
        return writeRequests.get();
    }

    // ---- cohorts ---------------------------------------------------------------------------------------------

    @Override
    public void upsertCohort(CohortUpsert u, SyncMode defaultMode) {
        Update up = new Update()
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
        update(key(COHORTS_PK, "cohort#" + u.cohortId()), up, null);
    }

    @Override
    public Optional<Cohort> findCohort(String cohortId) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(COHORTS_PK, "cohort#" + cohortId))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(cohort(item));
    }

    @Override
    public List<Cohort> listCohorts() {
        return query(COHORTS_PK, "cohort#", null).stream().map(DynamoCohortStore::cohort).toList();
    }

    @Override
    public boolean setSyncMode(String cohortId, SyncMode mode) {
        Update up = new Update().set("sync_mode", s(mode.wire()));
        if (mode == SyncMode.DYNAMIC) {
            up.set("#status", s(CohortStatus.ACTIVE.wire())); // an applied one-time cohort becomes refreshable again
        }
        return tryUpdate(key(COHORTS_PK, "cohort#" + cohortId), up, "attribute_exists(pk)");
    }

    @Override
    public void recordRefresh(String cohortId, RefreshOutcome o) {
        Map<String, AttributeValue> k = key(COHORTS_PK, "cohort#" + cohortId);
        if (o.status() != CohortStatus.ACTIVE) {
            // Applied or stale only if no postback reactivated the cohort while the run was going.
            Update up = refreshUpdate(o, o.status()).value(":refreshed", n(o.refreshedAt()));
            if (tryUpdate(k, up, "attribute_exists(pk) AND last_postback_at <= :refreshed")) {
                return;
            }
            tryUpdate(k, refreshUpdate(o, CohortStatus.ACTIVE), "attribute_exists(pk)");
            return;
        }
        tryUpdate(k, refreshUpdate(o, o.status()), "attribute_exists(pk)");
    }

    private static Update refreshUpdate(RefreshOutcome o, CohortStatus status) {
        return new Update()
                .set("last_refresh_at", n(o.refreshedAt()))
                .set("member_count", n(o.memberCount()))
                .set("pending_count", n(o.pendingCount()))
                .set("#status", s(status.wire()))
                .setOrRemove("applied_value", o.appliedValue() == null ? null : s(o.appliedValue()))
                .setOrRemove("last_error", o.lastError() == null ? null : s(o.lastError()))
                .add("data_points", n(o.addDataPoints()));
    }

    @Override
    public boolean acquireLease(String cohortId, Instant now, Instant until) {
        return tryUpdate(key(COHORTS_PK, "cohort#" + cohortId),
                new Update().set("lease_until", n(until)).value(":now", n(now)),
                "attribute_exists(pk) AND (attribute_not_exists(lease_until) OR lease_until < :now)");
    }

    @Override
    public void releaseLease(String cohortId) {
        tryUpdate(key(COHORTS_PK, "cohort#" + cohortId), new Update().remove("lease_until"), "attribute_exists(pk)");
    }

    @Override
    public Optional<Instant> foldedThrough(String cohortId) {
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(COHORTS_PK, "cohort#" + cohortId)).projectionExpression("folded_through")).item();
        return Optional.ofNullable(instant(item, "folded_through"));
    }

    @Override
    public void setFoldedThrough(String cohortId, Instant through) {
        tryUpdate(key(COHORTS_PK, "cohort#" + cohortId), new Update().set("folded_through", n(through)),
                "attribute_exists(pk)");
    }

    // ---- changes and sessions ---------------------------------------------------------------------------------

    @Override
    public boolean recordChange(ChangeBatch c, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key("cohort#" + c.cohortId(), "change#" + c.key()));
        item.put("op", s(c.add() ? "add" : "remove"));
        item.put("members", refs(c.members()));
        item.put("received_at", n(c.receivedAt()));
        item.put("expires_at", n(c.expiresAt().getEpochSecond()));
        return putIfAbsentOrExpired(item, now);
    }

    @Override
    public List<ChangeBatch> unfoldedChanges(String cohortId) {
        List<ChangeBatch> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : query("cohort#" + cohortId, "change#", "attribute_not_exists(folded)")) {
            out.add(new ChangeBatch(cohortId, item.get("sk").s().substring("change#".length()),
                    "add".equals(item.get("op").s()), refs(item.get("members")), instant(item, "received_at"),
                    Instant.ofEpochSecond(Long.parseLong(item.get("expires_at").n()))));
        }
        return out;
    }

    @Override
    public void markFolded(String cohortId, Collection<String> changeKeys) {
        for (String k : changeKeys) {
            tryUpdate(key("cohort#" + cohortId, "change#" + k), new Update().set("folded", AttributeValue.fromBool(true)),
                    "attribute_exists(pk)");
        }
    }

    @Override
    public PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now) {
        Map<String, AttributeValue> sessionKey = key("cohort#" + page.cohortId(), "session#" + page.sessionId());
        Update open = new Update()
                .set("session_id", s(page.sessionId()))
                .setIfAbsent("total_pages", n(page.totalPages()))
                .setIfAbsent("created_at", n(now))
                .setIfAbsent("#status", s(SyncSession.Status.OPEN.name()))
                .setIfAbsent("expires_at", n(sessionExpiresAt.getEpochSecond()))
                .value(":nowSec", n(now.getEpochSecond()));
        Map<String, AttributeValue> session;
        try {
            session = update(sessionKey, open, "attribute_not_exists(pk) OR expires_at > :nowSec");
        } catch (ConditionalCheckFailedException expired) {
            // Dynalite (and DynamoDB, for up to days) keeps expired items: an expired session starts afresh.
            Map<String, AttributeValue> fresh = new HashMap<>(sessionKey);
            fresh.put("session_id", s(page.sessionId()));
            fresh.put("total_pages", n(page.totalPages()));
            fresh.put("created_at", n(now));
            fresh.put("status", s(SyncSession.Status.OPEN.name()));
            fresh.put("expires_at", n(sessionExpiresAt.getEpochSecond()));
            writeRequests.incrementAndGet();
            db.putItem(b -> b.tableName(table).item(fresh));
            session = fresh;
        }
        if (Integer.parseInt(session.get("total_pages").n()) != page.totalPages()) {
            return PageReceipt.CONFLICT;
        }
        if (!SyncSession.Status.OPEN.name().equals(session.get("status").s())) {
            return PageReceipt.CLOSED;
        }
        Map<String, AttributeValue> item = new HashMap<>(key(pagePk(page.cohortId(), page.sessionId()),
                String.format("page#%06d", page.pageIndex())));
        item.put("members", refs(page.members()));
        item.put("total_pages", n(page.totalPages()));
        item.put("received_at", n(page.receivedAt()));
        item.put("expires_at", n(page.expiresAt().getEpochSecond()));
        // A page older than the session record belongs to an expired earlier session with the same id.
        AttributeValue created = session.get("created_at");
        try {
            writeRequests.incrementAndGet();
            db.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR expires_at <= :nowSec OR received_at < :created")
                    .expressionAttributeValues(Map.of(":nowSec", n(now.getEpochSecond()),
                            ":created", created)));
            return PageReceipt.STORED;
        } catch (ConditionalCheckFailedException e) {
            return PageReceipt.DUPLICATE;
        }
    }

    @Override
    public List<SyncSession> openSessions(String cohortId) {
        List<SyncSession> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : query("cohort#" + cohortId, "session#", null)) {
            SyncSession.Status status = SyncSession.Status.valueOf(item.get("status").s());
            if (status == SyncSession.Status.OPEN) {
                out.add(new SyncSession(cohortId, item.get("session_id").s(),
                        Integer.parseInt(item.get("total_pages").n()), instant(item, "created_at"), status,
                        Instant.ofEpochSecond(Long.parseLong(item.get("expires_at").n()))));
            }
        }
        return out;
    }

    @Override
    public List<SessionPage> sessionPages(String cohortId, String sessionId) {
        Map<String, AttributeValue> session = db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key("cohort#" + cohortId, "session#" + sessionId))).item();
        Instant created = instant(session, "created_at");
        List<SessionPage> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : query(pagePk(cohortId, sessionId), "page#", null)) {
            if (created != null && instant(item, "received_at").isBefore(created)) {
                continue; // left over from an expired earlier session with the same id
            }
            out.add(new SessionPage(cohortId, sessionId, Integer.parseInt(item.get("sk").s().substring(5)),
                    Integer.parseInt(item.get("total_pages").n()), refs(item.get("members")),
                    instant(item, "received_at"), Instant.ofEpochSecond(Long.parseLong(item.get("expires_at").n()))));
        }
        return out;
    }

    @Override
    public void closeSession(String cohortId, String sessionId, SyncSession.Status status) {
        tryUpdate(key("cohort#" + cohortId, "session#" + sessionId), new Update().set("#status", s(status.name())),
                "attribute_exists(pk)");
    }

    static String pagePk(String cohortId, String sessionId) {
        // The length prefix keeps (cohort "a#b", session "c") and (cohort "a", session "b#c") apart.
        return "session#" + cohortId.length() + ":" + cohortId + "#" + sessionId;
    }

    // ---- members ----------------------------------------------------------------------------------------------

    @Override
    public List<Member> allMembers(String cohortId) {
        return query("cohort#" + cohortId, "member#", null).stream().map(DynamoCohortStore::member).toList();
    }

    @Override
    public MemberPage members(String cohortId, String afterKey, int limit) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).consistentRead(true).limit(limit)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s("cohort#" + cohortId), ":prefix", s("member#")));
        if (afterKey != null) {
            q.exclusiveStartKey(key("cohort#" + cohortId, "member#" + afterKey));
        }
        QueryResponse r = db.query(q.build());
        List<Member> members = r.items().stream().map(DynamoCohortStore::member).toList();
        String next = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() && !members.isEmpty()
                ? members.get(members.size() - 1).ref().storageKey() : null;
        return new MemberPage(members, next);
    }

    @Override
    public void writeMembers(String cohortId, Collection<Member> members) {
        List<WriteRequest> requests = new ArrayList<>(members.size());
        for (Member m : members) {
            Map<String, AttributeValue> k = key("cohort#" + cohortId, "member#" + m.ref().storageKey());
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
        List<List<WriteRequest>> batches = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += BATCH) {
            batches.add(requests.subList(from, Math.min(requests.size(), from + BATCH)));
        }
        if (batches.size() <= 1) {
            batches.forEach(this::batchWrite);
            return;
        }
        // A 100k-member sync is 4000 batches: overlapping a few keeps the refresh well inside its time limit.
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(PARALLEL_BATCHES);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>(batches.size());
            for (List<WriteRequest> b : batches) {
                inFlight.acquireUninterruptibly();
                futures.add(pool.submit(() -> {
                    try {
                        batchWrite(b);
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (var f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing members", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private void batchWrite(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                if (attempt > 8) {
                    throw new IllegalStateException("DynamoDB kept returning unprocessed items");
                }
                sleepQuietly(Math.min(1000, 25L << attempt)); // throttled: back off before resending the rest
            }
            Map<String, List<WriteRequest>> request = pending;
            writeRequests.incrementAndGet();
            pending = db.batchWriteItem(b -> b.requestItems(request)).unprocessedItems();
            pending = pending == null ? Map.of() : pending.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }

    // ---- keys -------------------------------------------------------------------------------------------------

    @Override
    public boolean createKey(KeyRecord r) {
        Map<String, AttributeValue> item = new HashMap<>(key(KEYS_PK, "key#" + r.keyId()));
        item.put("key_id", s(r.keyId()));
        item.put("label", s(r.label() == null ? "" : r.label()));
        item.put("sha256", s(r.sha256Hex()));
        item.put("created_at", n(r.createdAt()));
        try {
            writeRequests.incrementAndGet();
            db.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        // Strongly consistent: a key revoked a moment ago must already be refused.
        Map<String, AttributeValue> item = db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(key(KEYS_PK, "key#" + keyId))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(keyRecord(item));
    }

    @Override
    public List<KeyRecord> listKeys() {
        return query(KEYS_PK, "key#", null).stream().map(DynamoCohortStore::keyRecord)
                .sorted(java.util.Comparator.comparing(KeyRecord::createdAt)).toList();
    }

    @Override
    public boolean revokeKey(String keyId, Instant at) {
        return tryUpdate(key(KEYS_PK, "key#" + keyId), new Update().setIfAbsent("revoked_at", n(at)),
                "attribute_exists(pk)");
    }

    @Override
    public void touchKey(String keyId, Instant at) {
        tryUpdate(key(KEYS_PK, "key#" + keyId), new Update().set("last_used_at", n(at)), "attribute_exists(pk)");
    }

    // ---- item mapping -----------------------------------------------------------------------------------------

    private static Cohort cohort(Map<String, AttributeValue> i) {
        return new Cohort(i.get("cohort_id").s(), str(i, "name"), str(i, "description"), str(i, "project_id"),
                SyncMode.parse(str(i, "sync_mode")).orElse(SyncMode.DYNAMIC), CohortStatus.fromWire(str(i, "status")),
                instant(i, "created_at"), instant(i, "last_postback_at"), instant(i, "last_refresh_at"),
                num(i, "member_count"), num(i, "pending_count"), num(i, "data_points"), str(i, "applied_value"),
                str(i, "last_error"));
    }

    private static Member member(Map<String, AttributeValue> i) {
        return new Member(MemberRef.fromStorageKey(i.get("sk").s().substring("member#".length())),
                Boolean.TRUE.equals(i.get("desired").bool()), str(i, "applied"), str(i, "rejected_for"),
                str(i, "reject_reason"), instant(i, "updated_at"));
    }

    private static KeyRecord keyRecord(Map<String, AttributeValue> i) {
        return new KeyRecord(i.get("key_id").s(), str(i, "label"), i.get("sha256").s(), instant(i, "created_at"),
                instant(i, "last_used_at"), instant(i, "revoked_at"));
    }

    private static AttributeValue refs(Collection<MemberRef> refs) {
        // A list, not a string set: DynamoDB refuses empty sets, and an empty page is legitimate.
        return AttributeValue.fromL(refs.stream().map(r -> s(r.storageKey())).toList());
    }

    private static List<MemberRef> refs(AttributeValue v) {
        return v.l().stream().map(a -> MemberRef.fromStorageKey(a.s())).toList();
    }

    // ---- low-level helpers ------------------------------------------------------------------------------------

    private List<Map<String, AttributeValue>> query(String pk, String skPrefix, String filter) {
        Map<String, AttributeValue> values = Map.of(":pk", s(pk), ":prefix", s(skPrefix));
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder q = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(values);
            if (filter != null) {
                q.filterExpression(filter);
            }
            if (start != null) {
                q.exclusiveStartKey(start);
            }
            QueryResponse r = db.query(q.build());
            out.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    private boolean putIfAbsentOrExpired(Map<String, AttributeValue> item, Instant now) {
        try {
            writeRequests.incrementAndGet();
            db.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR expires_at <= :nowSec")
                    .expressionAttributeValues(Map.of(":nowSec", n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private boolean tryUpdate(Map<String, AttributeValue> key, Update up, String condition) {
        try {
            update(key, up, condition);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private Map<String, AttributeValue> update(Map<String, AttributeValue> key, Update up, String condition) {
        writeRequests.incrementAndGet();
        Consumer<UpdateItemRequest.Builder> b = r -> {
            r.tableName(table).key(key).updateExpression(up.expression()).returnValues(ReturnValue.ALL_NEW);
            if (!up.names.isEmpty()) {
                r.expressionAttributeNames(up.names);
            }
            if (!up.values.isEmpty()) {
                r.expressionAttributeValues(up.values);
            }
            if (condition != null) {
                r.conditionExpression(condition);
            }
        };
        return db.updateItem(b).attributes();
    }

    /** Builds an UpdateExpression; {@code #name}/{@code #status} stand for reserved words. */
    private static final class Update {
        private final List<String> sets = new ArrayList<>();
        private final List<String> removes = new ArrayList<>();
        private final List<String> adds = new ArrayList<>();
        final Map<String, String> names = new HashMap<>();
        final Map<String, AttributeValue> values = new HashMap<>();

        Update set(String attr, AttributeValue v) {
            sets.add(attr + " = " + placeholder(attr, v));
            return this;
        }

        Update setIfAbsent(String attr, AttributeValue v) {
            sets.add(attr + " = if_not_exists(" + attr + ", " + placeholder(attr, v) + ")");
            return this;
        }

        Update setOrRemove(String attr, AttributeValue v) {
            return v == null ? remove(attr) : set(attr, v);
        }

        Update remove(String attr) {
            name(attr);
            removes.add(attr);
            return this;
        }

        Update add(String attr, AttributeValue v) {
            adds.add(attr + " " + placeholder(attr, v));
            return this;
        }

        Update value(String placeholder, AttributeValue v) {
            values.put(placeholder, v);
            return this;
        }

        private String placeholder(String attr, AttributeValue v) {
            name(attr);
            String p = ":v" + values.size();
            values.put(p, v);
            return p;
        }

        private void name(String attr) {
            if (attr.startsWith("#")) {
                names.put(attr, attr.substring(1));
            }
        }

        String expression() {
            StringBuilder sb = new StringBuilder();
            if (!sets.isEmpty()) {
                sb.append("SET ").append(String.join(", ", sets));
            }
            if (!removes.isEmpty()) {
                sb.append(" REMOVE ").append(String.join(", ", removes));
            }
            if (!adds.isEmpty()) {
                sb.append(" ADD ").append(String.join(", ", adds));
            }
            return sb.toString().strip();
        }
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static AttributeValue n(Instant i) {
        return n(i.toEpochMilli());
    }

    private static String str(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i == null ? null : i.get(attr);
        return v == null ? null : v.s();
    }

    private static long num(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i.get(attr);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    private static Instant instant(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i == null ? null : i.get(attr);
        return v == null || v.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
