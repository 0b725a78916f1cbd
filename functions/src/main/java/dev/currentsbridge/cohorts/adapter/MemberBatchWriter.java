package dev.currentsbridge.cohorts.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes many member items as BatchWriteItem calls of 25, a few in parallel, resending what DynamoDB leaves
 * unprocessed (throttling) with a short backoff.
 */
final class MemberBatchWriter {

    private static final int BATCH = 25;
    private static final int PARALLEL_BATCHES = 8;
    private static final int MAX_RESENDS = 8;

    private final DynamoDbClient db;
    private final String table;
    private final AtomicLong writeRequests;

    MemberBatchWriter(DynamoDbClient db, String table, AtomicLong writeRequests) {
        this.db = db;
        this.table = table;
        this.writeRequests = writeRequests;
    }

    void write(List<WriteRequest> requests) {
        List<List<WriteRequest>> batches = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += BATCH) {
            batches.add(requests.subList(from, Math.min(requests.size(), from + BATCH)));
        }
        if (batches.size() <= 1) {
            batches.forEach(this::batchWrite);
            return;
        }
        // A 100k-member sync is 4000 batches: overlapping a few keeps the refresh well inside its time limit.
        Semaphore inFlight = new Semaphore(PARALLEL_BATCHES);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>(batches.size());
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
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private void batchWrite(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                if (attempt > MAX_RESENDS) {
                    throw new IllegalStateException("DynamoDB kept returning unprocessed items");
                }
                sleepQuietly(Math.min(1000, 25L << attempt)); // throttled: back off before resending the rest
            }
            Map<String, List<WriteRequest>> request = pending;
            writeRequests.incrementAndGet();
            pending = db.batchWriteItem(b -> b.requestItems(request)).unprocessedItems();
            pending = pending == null ? Map.of() : pending.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
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
