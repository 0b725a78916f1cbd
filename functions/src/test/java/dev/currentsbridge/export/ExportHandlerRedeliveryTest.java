package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler's redelivery duties, with in-memory ports: each returned message hidden for its budget delay,
 * a message on its last allowed receive given up to the rejects (never left to the DLQ), a batch returned whole
 * failing the invocation so that the poller backs off, and {@code EXPORT_MAX_RECEIVES} checked at init.
 */
class ExportHandlerRedeliveryTest {

    private static final String ARN = "arn:aws:sqs:us-east-1:123456789012:export";

    private final List<MessageVisibility.Delay> delays = new CopyOnWriteArrayList<>();
    private final List<RejectedEvent> rejects = new CopyOnWriteArrayList<>();
    private boolean rejectsDown;
    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    /** Mixpanel answering each request with {@code status(n)}, n = 0, 1, ... */
    private static MixpanelImport mixpanel(IntUnaryOperator status) {
        return new MixpanelImport() {
            private int n;

            @Override
            public synchronized Response send(List<byte[]> events, Duration timeout) {
                int s = status.applyAsInt(n++);
                return new Response(s, s == 200 ? "{\"code\":200,\"num_records_imported\":" + events.size() + "}"
                        : s == 401 ? "{\"error\":\"Invalid credentials\"}" : "{\"error\":\"down\"}", Optional.empty());
            }

            @Override
            public void reloadCredentials() {
            }
        };
    }

    private ExportHandler handler(MixpanelImport mixpanel, ExportHandler.WholeBatchReturned mode,
                                  Map<String, String> env) {
        ExportPorts ports = new ExportPorts(mixpanel, sent -> {
            if (rejectsDown) {
                throw new IllegalStateException("rejects queue down");
            }
            rejects.addAll(sent);
            return List.of();
        }, (bucket, key) -> {
            throw new IllegalStateException("no S3 here");
        }, batch -> {
            delays.addAll(batch);
            return List.of();
        });
        Sleeper noWait = d -> {
        };
        return new ExportHandler(ports, Env.of(env), noWait, new SplittableRandom(1), mode);
    }

    private ExportHandler handler(MixpanelImport mixpanel, ExportHandler.WholeBatchReturned mode) {
        return handler(mixpanel, mode, Map.of("EXPORT_MAX_RECEIVES", "16"));
    }

    /** One record per body, receive counts as given, with receipt handles and the queue ARN. */
    private static SQSEvent event(int[] receiveCounts, String... bodies) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m" + i);
            m.setReceiptHandle("rh" + i);
            m.setBody(bodies[i]);
            m.setEventSourceArn(ARN);
            Map<String, String> attributes = new HashMap<>();
            attributes.put("ApproximateReceiveCount", Integer.toString(receiveCounts[i]));
            m.setAttributes(attributes);
            records.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    private static List<String> failures(SQSBatchResponse r) {
        return r.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    private Map<String, Double> lastMetrics() {
        return LogCapture.parseEmf(capture.metrics().get(capture.metrics().size() - 1));
    }

    private static String storage(String id) {
        return CurrentsFixtures.storageJson(id, "user-" + id);
    }

    @Test
    void returnedMessagesAreHiddenForTheirBudgetDelayByReceiveCount() {
        // Request 1 (the whole batch) fails with 503 on every attempt.
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.ANSWER);
        SQSBatchResponse r = h.handleRequest(event(new int[] {1, 4}, storage("a"), storage("b")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0", "m1"), failures(r));
        RetryBudget budget = RetryBudget.of(16);
        assertEquals(List.of(
                new MessageVisibility.Delay("m0", "rh0", ARN, budget.delay(1, RetryCause.TRANSIENT)),
                new MessageVisibility.Delay("m1", "rh1", ARN, budget.delay(4, RetryCause.TRANSIENT))), delays);
    }

    @Test
    void configurationErrorsAreDelayedOnTheSlowClock() {
        ExportHandler h = handler(mixpanel(n -> 401), ExportHandler.WholeBatchReturned.ANSWER);
        h.handleRequest(event(new int[] {2}, storage("a")), new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(1, delays.size());
        assertEquals(Duration.ofHours(2), delays.get(0).delay(), "second receive, configuration: 1 h doubled");
    }

    @Test
    void aWholeReturnedBatchFailsTheInvocationAfterSettingEveryDelay() {
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.FAIL_INVOCATION);
        BatchReturnedException e = assertThrows(BatchReturnedException.class, () -> h.handleRequest(
                event(new int[] {1, 1, 1}, storage("a"), storage("b"), storage("c")),
                new ManualClock().contextWith(Duration.ofSeconds(120))));
        assertTrue(e.getMessage().contains("mixpanel_503"), e.getMessage());
        assertEquals(3, delays.size(), "every delay set before the throw");
        assertEquals(3.0, lastMetrics().get("MessagesReturned"), "metrics written before the throw");
        assertEquals(0, e.getStackTrace().length, "not a bug: no stack trace in the logs");
    }

    @Test
    void aPartlyDeliveredBatchAnswersInsteadOfFailing() {
        // The rejects come first; a message whose event Mixpanel refuses (400) is rejected, not returned.
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.FAIL_INVOCATION);
        SQSBatchResponse r = h.handleRequest(event(new int[] {1, 1}, storage("a"), "not json"),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r), "the unreadable message is rejected, the other returned");
        assertEquals(1, delays.size());
    }

    @Test
    void onItsLastReceiveAMessageIsGivenUpToTheRejectsNotTheDlq() {
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.FAIL_INVOCATION);
        String batch = CurrentsFixtures.httpBatch("b", 3);
        SQSBatchResponse r = h.handleRequest(event(new int[] {16, 3}, batch, storage("a")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m1"), failures(r), "only the message with receives left comes back");
        assertEquals(1, rejects.size());
        RejectedEvent given = rejects.get(0);
        assertEquals("m0", given.messageId());
        assertEquals(Outcome.RETRIES_EXHAUSTED, given.outcome());
        assertEquals("retries_exhausted", given.reasonCode());
        assertEquals(batch, given.original(), "the original message, as received");
        assertTrue(given.detail().contains("mixpanel_503"), given.detail());
        Map<String, Double> m = lastMetrics();
        assertEquals(1.0, m.get("MessagesExhausted"));
        assertEquals(3.0, m.get("Rejected.retries_exhausted"), "each of its events counted");
        assertEquals(m.get("EventsReceived"), m.get("EventsExported") + m.get("EventsSkipped")
                + m.get("EventsRejected") + m.get("EventsReturned"), "the ledger adds up: " + m);
        assertEquals(List.of("m1"), delays.stream().map(MessageVisibility.Delay::messageId).toList());
    }

    @Test
    void anUnreadMessageOnItsLastReceiveIsGivenUpWhole() {
        // No time left for a request: both messages deferred unread; the one on its last receive is given up.
        ExportHandler h = handler(mixpanel(n -> 200), ExportHandler.WholeBatchReturned.ANSWER);
        SQSBatchResponse r = h.handleRequest(event(new int[] {20, 1}, storage("a"), storage("b")),
                new ManualClock().contextWith(Duration.ofSeconds(3)));
        assertEquals(List.of("m1"), failures(r));
        assertEquals(List.of("m0"), rejects.stream().map(RejectedEvent::messageId).toList());
        assertEquals(1.0, lastMetrics().get("Rejected.retries_exhausted"), "an unread message counts as one");
    }

    @Test
    void ifTheRejectsQueueIsDownOnTheLastReceiveTheMessageIsReturned() {
        rejectsDown = true;
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.ANSWER);
        SQSBatchResponse r = h.handleRequest(event(new int[] {16}, storage("a")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r), "SQS dead-letters it next (the DLQ alarm: a crash-class fault)");
        assertEquals(0.0, lastMetrics().get("MessagesExhausted"));
    }

    @Test
    void withoutExportMaxReceivesNothingIsGivenUp() {
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.ANSWER, Map.of());
        SQSBatchResponse r = h.handleRequest(event(new int[] {500}, storage("a")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r));
        assertEquals(List.of(), rejects);
    }

    @Test
    void aBugReturnsEveryMessageWithItsDelayAndGivesUpThoseOnTheirLastReceive() {
        MixpanelImport broken = new MixpanelImport() {
            @Override
            public Response send(List<byte[]> events, Duration timeout) {
                return null; // a bug in an adapter
            }

            @Override
            public void reloadCredentials() {
            }
        };
        ExportHandler h = handler(broken, ExportHandler.WholeBatchReturned.ANSWER);
        SQSBatchResponse r = h.handleRequest(event(new int[] {1, 16}, storage("a"), storage("b")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r));
        assertEquals(List.of("m1"), rejects.stream().map(RejectedEvent::messageId).toList());
    }

    @Test
    void aMessageTooOldForItsNextDelayIsGivenUpInsteadOfExpiring() {
        ManualClock clock = new ManualClock();
        ExportPorts ports = new ExportPorts(mixpanel(n -> 503), sent -> {
            rejects.addAll(sent);
            return List.of();
        }, (bucket, key) -> {
            throw new IllegalStateException("no S3 here");
        }, batch -> {
            delays.addAll(batch);
            return List.of();
        });
        ExportHandler h = new ExportHandler(ports, Env.of(Map.of("EXPORT_MAX_RECEIVES", "16",
                "EXPORT_QUEUE_RETENTION_SECONDS", Long.toString(RetryBudget.QUEUE_RETENTION.toSeconds()))),
                d -> { }, new SplittableRandom(1), ExportHandler.WholeBatchReturned.ANSWER, clock);
        SQSEvent e = event(new int[] {2, 2}, storage("young"), storage("old"));
        // Sent 3 days ago (retried for days to come) and 13 days less 10 minutes ago (its next delay ends
        // within a day of the 14-day retention).
        long now = clock.peek().toEpochMilli();
        e.getRecords().get(0).getAttributes().put("SentTimestamp", Long.toString(now - Duration.ofDays(3).toMillis()));
        e.getRecords().get(1).getAttributes().put("SentTimestamp",
                Long.toString(now - Duration.ofDays(13).minusMinutes(10).toMillis()));
        SQSBatchResponse r = h.handleRequest(e, clock.contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r), "the young message comes back");
        assertEquals(List.of("m0"), delays.stream().map(MessageVisibility.Delay::messageId).toList());
        assertEquals(List.of("m1"), rejects.stream().map(RejectedEvent::messageId).toList());
        RejectedEvent old = rejects.get(0);
        assertEquals(Outcome.RETRIES_EXHAUSTED, old.outcome());
        assertEquals("retries_exhausted", old.reasonCode());
        assertEquals(storage("old"), old.original());
        assertTrue(old.detail().contains("sent 311 h ago"), old.detail());
        assertEquals(1.0, lastMetrics().get("MessagesExhausted"));
    }

    @Test
    void withoutSentTimestampOrRetentionNothingIsGivenUpForItsAge() {
        ExportHandler h = handler(mixpanel(n -> 503), ExportHandler.WholeBatchReturned.ANSWER,
                Map.of("EXPORT_QUEUE_RETENTION_SECONDS", "1209600"));
        SQSBatchResponse r = h.handleRequest(event(new int[] {2}, storage("a")),
                new ManualClock().contextWith(Duration.ofSeconds(120)));
        assertEquals(List.of("m0"), failures(r), "no SentTimestamp: age unknown, returned");
        assertEquals(List.of(), rejects);
    }

    @Test
    void exportQueueRetentionIsCheckedAtInit() {
        for (String bad : List.of("0", "59", "1209601", "two weeks")) {
            ConfigException e = assertThrows(ConfigException.class, () -> handler(mixpanel(n -> 200),
                    ExportHandler.WholeBatchReturned.ANSWER, Map.of("EXPORT_QUEUE_RETENTION_SECONDS", bad)), bad);
            assertTrue(e.getMessage().contains("EXPORT_QUEUE_RETENTION_SECONDS"), e.getMessage());
        }
    }

    @Test
    void exportMaxReceivesIsCheckedAtInit() {
        for (String bad : List.of("0", "-1", "1001", "many")) {
            ConfigException e = assertThrows(ConfigException.class, () -> handler(mixpanel(n -> 200),
                    ExportHandler.WholeBatchReturned.ANSWER, Map.of("EXPORT_MAX_RECEIVES", bad)), bad);
            assertTrue(e.getMessage().contains("EXPORT_MAX_RECEIVES"), e.getMessage());
        }
    }
}
