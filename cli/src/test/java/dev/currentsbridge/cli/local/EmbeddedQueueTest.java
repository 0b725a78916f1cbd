package dev.currentsbridge.cli.local;

import dev.currentsbridge.standins.local.EmbeddedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedQueueTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void receivedMessagesStayHiddenUntilTheVisibilityTimeoutThenComeBackCounted() throws Exception {
        ManualClock clock = new ManualClock();
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofSeconds(30), 3, clock);
        q.send("a", Map.of("event_type", "users.messages.email.Open"));
        List<EmbeddedQueue.Received> first = q.receive(10, Duration.ZERO);
        assertEquals(1, first.size());
        assertEquals("1", first.get(0).attributes().get("ApproximateReceiveCount"));
        assertEquals("users.messages.email.Open", first.get(0).messageAttributes().get("event_type"));
        assertTrue(q.receive(10, Duration.ZERO).isEmpty());
        clock.advance(Duration.ofSeconds(31));
        List<EmbeddedQueue.Received> second = q.receive(10, Duration.ZERO);
        assertEquals(2, second.get(0).receiveCount());
        assertFalse(q.delete(first.get(0).receiptHandle()), "a stale receipt handle deletes nothing");
        assertTrue(q.delete(second.get(0).receiptHandle()));
        assertEquals(0, q.depth());
    }

    @Test
    void afterMaxReceivesTheMessageMovesToTheDeadLetterList() throws Exception {
        ManualClock clock = new ManualClock();
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofSeconds(1), 2, clock);
        q.send("poison");
        for (int i = 0; i < 2; i++) {
            assertEquals(1, q.receive(10, Duration.ZERO).size());
            clock.advance(Duration.ofSeconds(2));
        }
        assertTrue(q.receive(10, Duration.ZERO).isEmpty());
        assertEquals(List.of(new EmbeddedQueue.DeadLetter(q.deadLetters().get(0).messageId(), "poison", 2)), q.deadLetters());
        assertEquals(0, q.depth());
    }

    @Test
    void batchesHoldAtMostTenAndTheWorkerDeletesAllButTheReportedFailures() throws Exception {
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofMinutes(5), 3, Clock.systemUTC());
        for (int i = 0; i < 12; i++) {
            q.send("m" + i);
        }
        List<Integer> sizes = new java.util.ArrayList<>();
        QueueWorker worker = new QueueWorker(q, 10, (event, ctx) -> {
            sizes.add(event.getRecords().size());
            String failed = event.getRecords().stream().filter(m -> m.getBody().equals("m3")).map(m -> m.getMessageId())
                    .findFirst().orElse(null);
            return new SQSBatchResponse(failed == null ? List.of() : List.of(new SQSBatchResponse.BatchItemFailure(failed)));
        }, new LocalContext.Factory("ExportFunction", Duration.ofSeconds(60), 1024));
        worker.deliver(q.receive(10, Duration.ZERO));
        worker.deliver(q.receive(10, Duration.ZERO));
        assertEquals(List.of(10, 2), sizes);
        assertEquals(1, q.depth(), "only the reported failure stays, invisible until its timeout");
        assertEquals(1, worker.failedDeliveries());
    }

    @Test
    void aThrowingFunctionFailsTheWholeBatch() throws Exception {
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofMinutes(5), 3, Clock.systemUTC());
        q.send("a");
        q.send("b");
        QueueWorker worker = new QueueWorker(q, 10, (event, ctx) -> {
            throw new IllegalStateException("boom");
        }, new LocalContext.Factory("ExportFunction", Duration.ofSeconds(60), 1024));
        worker.deliver(q.receive(10, Duration.ZERO));
        assertEquals(2, q.depth());
        assertEquals(1, worker.functionErrors());
    }
}
