package dev.currentsbridge.cli.local;

import dev.currentsbridge.standins.local.EmbeddedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.BatchReturnedException;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Test
    void theQueueHonoursTheVisibilityTheHandlerSets() throws Exception {
        ManualClock clock = new ManualClock();
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofSeconds(10), 3, clock);
        q.send("a");
        q.send("b");
        List<EmbeddedQueue.Received> first = q.receive(10, Duration.ZERO);
        String a = first.get(0).messageId();
        String b = first.get(1).messageId();
        List<String> refused = q.hide(List.of(
                new MessageVisibility.Delay(a, first.get(0).receiptHandle(), q.arn(), Duration.ofMinutes(5)),
                new MessageVisibility.Delay(b, first.get(1).receiptHandle(), "arn:aws:sqs:local:000000000000:other",
                        Duration.ofMinutes(5))));
        assertEquals(List.of(b), refused, "a delay for another queue is not set");
        clock.advance(Duration.ofSeconds(11));
        List<EmbeddedQueue.Received> second = q.receive(10, Duration.ZERO);
        assertEquals(List.of(b), second.stream().map(EmbeddedQueue.Received::messageId).toList(),
                "b is back after the queue's timeout, a stays hidden for the handler's 5 minutes");
        assertEquals(2, second.get(0).receiveCount());
        clock.advance(Duration.ofMinutes(5));
        List<EmbeddedQueue.Received> third = q.receive(1, Duration.ZERO);
        assertEquals(a, third.get(0).messageId());
        assertEquals("2", third.get(0).attributes().get("ApproximateReceiveCount"));
        assertEquals(List.of(a), q.hide(List.of(new MessageVisibility.Delay(a, first.get(0).receiptHandle(), q.arn(),
                Duration.ofMinutes(1)))), "a stale receipt handle changes nothing");
        assertFalse(q.changeVisibility(third.get(0).receiptHandle(), Duration.ofHours(13)), "over SQS's 12 hours");
        assertEquals(1, q.visibilityChanges());
    }

    @Test
    void aReturnedBatchDeletesNothingAndTheWorkerBacksOffUntilABatchSucceeds() throws Exception {
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ZERO, 10, Clock.systemUTC());
        q.send("a");
        boolean[] fail = {true};
        QueueWorker worker = new QueueWorker(q, 10, (event, ctx) -> {
            if (fail[0]) {
                throw new BatchReturnedException("every message of the batch returned for retry");
            }
            return new SQSBatchResponse(List.of());
        }, new LocalContext.Factory("ExportFunction", Duration.ofSeconds(60), 1024));
        List<Duration> pauses = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            assertFalse(worker.deliver(q.receive(10, Duration.ofSeconds(1))));
            pauses.add(worker.pause());
        }
        assertEquals(1, q.depth(), "nothing deleted");
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), QueueWorker.MAX_PAUSE, QueueWorker.MAX_PAUSE), pauses);
        assertEquals(8, worker.functionErrors());
        fail[0] = false;
        assertTrue(worker.deliver(q.receive(10, Duration.ofSeconds(1))));
        assertEquals(Duration.ZERO, worker.pause(), "a batch that succeeds resets the back-off");
        assertEquals(0, q.depth());
    }

    @Test
    void theExportHandlerPacesRedeliveryInLocalModeAndGivesUpOnTheLastReceive() throws Exception {
        ManualClock clock = new ManualClock();
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofSeconds(10), 3, clock);
        MixpanelImport down = new MixpanelImport() {
            @Override
            public Response send(List<byte[]> events, Duration timeout) {
                return new Response(503, "{\"error\":\"down\"}", Optional.empty());
            }

            @Override
            public void reloadCredentials() {
            }
        };
        List<RejectedEvent> rejects = new CopyOnWriteArrayList<>();
        ExportPorts ports = new ExportPorts(down, sent -> {
            rejects.addAll(sent);
            return List.of();
        }, (bucket, key) -> {
            throw new IllegalStateException("no S3 here");
        }, q);
        // As LocalSystem wires it: the deployed behaviour, the embedded queue's receive limit.
        ExportHandler handler = new ExportHandler(ports, Env.of(Map.of("EXPORT_MAX_RECEIVES", "3")), d -> { },
                new SplittableRandom(1), ExportHandler.WholeBatchReturned.FAIL_INVOCATION);
        QueueWorker worker = new QueueWorker(q, 10, handler::handleRequest,
                new LocalContext.Factory("ExportFunction", Duration.ofSeconds(120), 1024));
        String body = CurrentsFixtures.storageJson("local-1", "user-local-1");
        q.send(body);
        RetryBudget budget = RetryBudget.of(3);

        assertFalse(worker.deliver(q.receive(10, Duration.ZERO)), "receive 1: the whole batch returned, thrown");
        clock.advance(budget.delay(1, RetryCause.TRANSIENT).minusSeconds(1));
        assertTrue(q.receive(10, Duration.ZERO).isEmpty(), "hidden for the handler's delay, not the queue's 10 s");
        clock.advance(Duration.ofSeconds(2));
        List<EmbeddedQueue.Received> second = q.receive(10, Duration.ZERO);
        assertEquals(2, second.get(0).receiveCount());
        assertFalse(worker.deliver(second));
        clock.advance(budget.delay(2, RetryCause.TRANSIENT).plusSeconds(1));
        List<EmbeddedQueue.Received> third = q.receive(10, Duration.ZERO);
        assertEquals(3, third.get(0).receiveCount());
        assertTrue(worker.deliver(third), "the last receive gives the message up: the answer lists nothing");
        assertEquals(0, q.depth());
        assertEquals(List.of(), q.deadLetters(), "not dead-lettered");
        assertEquals(1, rejects.size());
        assertEquals("retries_exhausted", rejects.get(0).reasonCode());
        assertEquals(body, rejects.get(0).original());
        assertEquals(2, q.visibilityChanges());
        assertEquals(2, worker.functionErrors());
    }

    @Test
    void waitingForTheDrainStopsOnceEveryMessageLeftWaitsADelayBeyondIt() throws Exception {
        EmbeddedQueue q = new EmbeddedQueue("export", Duration.ofSeconds(10), 3, Clock.systemUTC());
        q.send("a");
        EmbeddedQueue.Received r = q.receive(1, Duration.ZERO).get(0);
        assertTrue(q.changeVisibility(r.receiptHandle(), Duration.ofHours(1)));
        // A hang guard, not a measurement: without the early stop this would wait the whole 10 minutes.
        assertFalse(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofMinutes(1),
                () -> q.awaitDrained(Duration.ofMinutes(10))), "hidden for an hour: cannot drain in 10 minutes");
        assertEquals(1, q.depth());
    }
}
