package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The one DynamoDB table behind the cohort ports (key design: {@link CohortItems}): strongly consistent reads,
 * single-item conditional writes and member batches, all counted. No transactions: every write is a single-item
 * conditional write (first write of an idempotent key wins, leases by condition on {@code lease_until}) or a
 * BatchWriteItem of member items by the lease holder.
 */
public final class CohortTable {

    private final DynamoDbClient db;
    private final String name;
    private final AtomicLong writeRequests = new AtomicLong();
    private final MemberBatchWriter batches;

    public CohortTable(DynamoDbClient db, String name) {
        this.db = db;
        this.name = name;
        this.batches = new MemberBatchWriter(db, name, writeRequests);
    }

    /** DynamoDB write requests sent so far (PutItem, UpdateItem, BatchWriteItem calls), for cost checks. */
    public long writeRequests() {
        return writeRequests.get();
    }

    /** The item (empty map or null when absent), strongly consistent; {@code projection} may be null. */
    Map<String, AttributeValue> get(Map<String, AttributeValue> key, String projection) {
        return db.getItem(b -> {
            b.tableName(name).consistentRead(true).key(key);
            if (projection != null) {
                b.projectionExpression(projection);
            }
        }).item();
    }

    /** Every item of partition {@code pk} whose sort key starts with {@code skPrefix}; {@code filter} may be null. */
    List<Map<String, AttributeValue>> query(String pk, String skPrefix, String filter) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse r = db.query(queryRequest(pk, skPrefix, filter, start, null));
            out.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    /** One page of at most {@code limit} items after {@code start} (exclusive; null = from the start). */
    QueryResponse queryPage(String pk, String skPrefix, Map<String, AttributeValue> start, int limit) {
        return db.query(queryRequest(pk, skPrefix, null, start, limit));
    }

    private QueryRequest queryRequest(String pk, String skPrefix, String filter, Map<String, AttributeValue> start,
                                      Integer limit) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(name).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(skPrefix)));
        if (filter != null) {
            q.filterExpression(filter);
        }
        if (start != null) {
            q.exclusiveStartKey(start);
        }
        if (limit != null) {
            q.limit(limit);
        }
        return q.build();
    }

    void put(Map<String, AttributeValue> item) {
        writeRequests.incrementAndGet();
        db.putItem(b -> b.tableName(name).item(item));
    }

    /** Puts the item if {@code condition} holds; false when it does not. {@code values} may be empty. */
    boolean putIf(Map<String, AttributeValue> item, String condition, Map<String, AttributeValue> values) {
        try {
            writeRequests.incrementAndGet();
            db.putItem(b -> {
                b.tableName(name).item(item).conditionExpression(condition);
                if (!values.isEmpty()) {
                    b.expressionAttributeValues(values);
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** First write of an idempotent key wins, unless the stored item has expired (TTL deletes lazily). */
    boolean putIfAbsentOrExpired(Map<String, AttributeValue> item, Instant now) {
        return putIf(item, "attribute_not_exists(pk) OR expires_at <= :nowSec", Map.of(":nowSec", n(now.getEpochSecond())));
    }

    boolean tryUpdate(Map<String, AttributeValue> key, UpdateExpression up, String condition) {
        try {
            update(key, up, condition);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The item after the update; throws {@link ConditionalCheckFailedException} when the condition fails. */
    Map<String, AttributeValue> update(Map<String, AttributeValue> key, UpdateExpression up, String condition) {
        writeRequests.incrementAndGet();
        Consumer<UpdateItemRequest.Builder> b = r -> {
            r.tableName(name).key(key).updateExpression(up.expression()).returnValues(ReturnValue.ALL_NEW);
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

    /** Puts and deletes in BatchWriteItem calls (see {@link MemberBatchWriter}). */
    void writeBatched(List<WriteRequest> requests) {
        batches.write(requests);
    }
}
