package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Write and request counts on the real SDK path, and concurrent postbacks for one cohort. */
class CohortScaleDynaliteTest {

    @Test
    void fullSyncCostsOneBatchWritePer25MembersAndCeilChangesOver75BrazeRequests() {
        int members = 5000;
        try (CohortHarness h = CohortHarness.dynalite()) {
            long start = h.dynamo().writeRequests();
            List<String> ids = IntStream.range(0, members).mapToObj(i -> "user-" + i).toList();
            int pages = members / 1000;
            for (int p = pages; p >= 1; p--) { // any order
                var r = h.webhook(CohortHarness.membersPage("big", "Big", "s", p, pages,
                        ids.subList((p - 1) * 1000, p * 1000)));
                assertEquals(200, r.getStatusCode(), r.getBody());
            }
            long handlerWrites = h.dynamo().writeRequests() - start;
            // per page: the session record and the page item; the cohort is registered with page 1; the key's
            // last-used time is written at most every few minutes; once per session: its open count and the
            // cohort's postback sequence (page 1)
            assertEquals(2L * pages + 1 + 1 + 2, handlerWrites);

            long beforeRefresh = h.dynamo().writeRequests();
            h.runRefresh();
            long refreshWrites = h.dynamo().writeRequests() - beforeRefresh;
            long memberBatches = (members + 24) / 25;
            // the write-ahead: each request's members (75) as unconfirmed before it is sent, in 25-item batches
            long intentBatches = members / 75 * 3 + (members % 75 + 24) / 25;
            // member items in 25-item batches, plus lease, watermark, session close and its open count, cohort
            // update, lease release
            assertTrue(refreshWrites <= memberBatches + intentBatches + 6, "refresh writes: " + refreshWrites);
            assertEquals((members + 74) / 75, h.braze.requests().size());
            assertEquals(members, h.braze.state(CohortHarness.ATTRIBUTE).size());

            // the same snapshot again changes nothing: no member writes, no Braze requests
            for (int p = 1; p <= pages; p++) {
                h.webhook(CohortHarness.membersPage("big", "Big", "s2", p, pages, ids.subList((p - 1) * 1000, p * 1000)));
            }
            long beforeSecond = h.dynamo().writeRequests();
            int requestsBefore = h.braze.requests().size();
            h.runRefresh();
            assertTrue(h.dynamo().writeRequests() - beforeSecond <= 6);
            assertEquals(requestsBefore, h.braze.requests().size());
        }
    }

    @Test
    void concurrentPostbacksForOneCohortLoseNothing() throws Exception {
        try (CohortHarness h = CohortHarness.dynalite()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                List<String> ids = IntStream.range(t * 20, t * 20 + 20).mapToObj(i -> "u" + i).toList();
                String body = CohortHarness.webhookBody("add_members", "c", "C", "sess-" + t, 1, 1, ids);
                results.add(pool.submit(() -> h.webhook(body).getStatusCode()));
            }
            // a full sync of the same cohort arriving at the same time
            String page = CohortHarness.membersPage("c", "C", "full", 1, 1, List.of("f1", "f2"));
            results.add(pool.submit(() -> h.webhook(page).getStatusCode()));
            for (Future<Integer> f : results) {
                assertEquals(200, f.get());
            }
            pool.shutdown();
            h.runRefresh();
            // the full sync arrived last or not: either way every add that came after it survives,
            // and the count of stored changes equals what was sent
            var cohort = CohortHarness.json(h.call("GET", "/cohorts/c", null, h.bearer(h.key)));
            assertEquals(0, cohort.path("queued_postbacks").asInt());
            assertEquals(0, cohort.path("pending_changes").asInt());
            assertEquals(h.braze.state(CohortHarness.ATTRIBUTE).size(), cohort.path("member_count").asInt());
            assertTrue(cohort.path("member_count").asInt() >= 2);
        }
    }
}
