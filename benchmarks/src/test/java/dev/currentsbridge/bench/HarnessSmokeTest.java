package dev.currentsbridge.bench;

import dev.currentsbridge.bench.harness.BacklogHarness;
import dev.currentsbridge.bench.harness.CohortRenameRun;
import dev.currentsbridge.bench.harness.CohortsHarness;
import dev.currentsbridge.bench.harness.ColdStart;
import dev.currentsbridge.bench.harness.ExportEndToEnd;
import dev.currentsbridge.bench.harness.MemoryHarness;
import dev.currentsbridge.bench.harness.Procs;
import dev.currentsbridge.bench.harness.ShadedJarCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every whole-process harness at a tiny size: each must finish, deliver every event / member it was given (the
 * harnesses themselves throw otherwise) and report positive numbers. Measures nothing.
 */
class HarnessSmokeTest {

    @Test
    void exportEndToEndBesideThePeer() throws Exception {
        ExportEndToEnd.Result r = ExportEndToEnd.run(2_000, 20, 1, 1, true, 20, 0, System.out);
        assertEquals(1, r.exporterEventsPerSecond().size());
        assertTrue(r.exporterEventsPerSecond().getFirst() > 0);
        assertTrue(r.peerEventsPerSecond().getFirst() > 0);
        assertTrue(r.ratioMedian() > 0);
        assertEquals(10, r.requestsPerRun(), "2000 events in 10 invocations of 200: one request each");
    }

    @Test
    void coldStartOnTheShadedJar() throws Exception {
        ColdStart.Result r = ColdStart.run(Procs.functionsJar(), 1, 5, System.out);
        assertTrue(r.floorMedianMs() > 0);
        assertTrue(r.coldMedianMs() > r.floorMedianMs(), r.toJson());
        assertTrue(r.unprimedFirstBatchMedianMs() > 0 && r.primedFirstBatchMedianMs() > 0, r.toJson());
        assertTrue(r.classesLoaded() > 1000, r.toJson());
    }

    @Test
    void allFourHandlersWorkOnTheShadedJarDespiteItsFilters() throws Exception {
        // the shade filters of functions/pom.xml drop async clients, DynamoDB Streams, S3 presigner/multipart/CRT
        // and unused Lambda event classes: every handler's Lambda constructor and one request each must still work
        assertEquals(4, ShadedJarCheck.run(Procs.functionsJar()).size());
    }

    @Test
    void memoryWithSnappyAndDeflateOnTheShadedJar() throws Exception {
        Map<String, Map<String, Double>> r = MemoryHarness.run(Procs.functionsJar(), 2_000, "128m",
                "users.messages.email.Open", System.out);
        assertEquals(2, r.size());
        for (Map<String, Double> codec : r.values()) {
            assertTrue(codec.get("vmhwm_mb") > 0, codec.toString());
        }
    }

    @Test
    void cohortsFullSyncAndRefresh() throws Exception {
        Map<String, Object> r = CohortsHarness.run(1_000, 250, System.out);
        assertEquals(14, ((Number) r.get("braze_requests")).intValue(), "ceil(1000 / 75)");
        @SuppressWarnings("unchecked")
        Map<String, Long> refresh = (Map<String, Long>) r.get("refresh_requests");
        // 1000 members in batches of 25 after Braze answered, and the write-ahead before each request (13 requests
        // of 75 = 3 batches each, the last of 25 = 1)
        assertEquals(40L + 40L, refresh.get("BatchWriteItem"), "1000 members in batches of 25, twice");
    }

    @Test
    void cohortsRefreshAfterARenameOfEveryCohort() throws Exception {
        Map<String, Object> r = CohortRenameRun.run(3, 1_000, System.out);
        assertEquals(3 * 14, ((Number) r.get("braze_requests")).intValue(), "ceil(1000 / 75) per cohort");
    }

    @Test
    void backlogUnderTheQuotaCappedThenLifted() throws Exception {
        // 3,000 events in 30 messages, a 1,000 events/s quota per rolling minute (60 s bucket, starting empty), the
        // handler as deployed (maxReceiveCount = EXPORT_MAX_RECEIVES 16): every event must end delivered, none lost
        // or dead-lettered, with 2 containers and again with 4 (the harness counts; the test checks the accounts)
        BacklogHarness.Settings s = new BacklogHarness.Settings(3_000, 100, 2, 4, 1_000, 60, 4, 10, 16, 120, 60, 7);
        List<BacklogHarness.Result> runs = BacklogHarness.run(s, System.out);
        assertEquals(2, runs.size());
        assertEquals(List.of(2, 4), runs.stream().map(BacklogHarness.Result::containers).toList());
        for (BacklogHarness.Result r : runs) {
            assertTrue(r.drained(), r.toJson());
            assertEquals(3_000, r.events(), r.toJson());
            assertEquals(3_000, r.delivered(), r.toJson());
            assertEquals(0, r.lost() + r.deadLettered() + r.pending() + r.rejected(), r.toJson());
            assertTrue(r.goodputEps() > 0 && r.containerSecondsPerMillion() > 0, r.toJson());
            assertTrue(r.invocations() >= 3, "30 messages, at most 10 per invocation: " + r.toJson());
            assertTrue(r.goodputRatio() <= 1.0, "the bucket starts empty: never more than the quota " + r.toJson());
        }
    }
}
