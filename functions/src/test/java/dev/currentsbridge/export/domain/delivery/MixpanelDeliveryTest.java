package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.common.retry.RetryPolicy;
import static dev.currentsbridge.export.domain.delivery.BatcherTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.port.MixpanelImport;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The delivery engine against a scripted Mixpanel port, a fake clock and a fake sleeper. */
class MixpanelDeliveryTest {

    static MixpanelImport.Response status(int code) {
        return new MixpanelImport.Response(code, "{}", Optional.empty());
    }

    static MixpanelImport.Response status(int code, String body) {
        return new MixpanelImport.Response(code, body, Optional.empty());
    }

    /** A clock that only the fake sleeper moves. */
    static final class FakeClock {
        final AtomicLong remaining;
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();

        FakeClock(Duration budget) {
            remaining = new AtomicLong(budget.toMillis());
        }

        Deadline deadline() {
            return remaining::get;
        }

        void sleep(Duration d) {
            sleeps.add(d);
            remaining.addAndGet(-d.toMillis());
        }
    }

    private final EventLedger ledger = new EventLedger();
    private final List<RejectedEvent> rejected = new CopyOnWriteArrayList<>();
    private final RejectBuffer rejects = new RejectBuffer(r -> {
        rejected.addAll(r);
        return List.of();
    }, ledger, 1);
    private final ScriptedMixpanel mixpanel = new ScriptedMixpanel();
    private FakeClock clock = new FakeClock(Duration.ofMinutes(10));

    private MixpanelDelivery delivery(int concurrency) {
        return new MixpanelDelivery(mixpanel, RetryPolicy.mixpanel(new SplittableRandom(3)), clock::sleep,
                clock.deadline(), DeliverySettings.defaults(concurrency), ledger, rejects);
    }

    private static List<OutgoingEvent> events(int n) {
        List<OutgoingEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new OutgoingEvent("m" + (i % 2), "sqs", null, "id-" + i,
                    ("{\"event\":\"e\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private void deliver(List<OutgoingEvent> batch, int concurrency) {
        try (MixpanelDelivery d = delivery(concurrency)) {
            d.submit(batch);
        }
        rejects.flush();
    }

    private void assertAllAccounted(int n) {
        assertEquals(n, ledger.totals().events(), "every event in exactly one bucket: " + ledger.totals());
    }

    @Test
    void aSuccessfulBatchIsImported() {
        deliver(events(10), 1);
        assertEquals(10, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(List.of(), clock.sleeps);
    }

    @Test
    void transientErrorsBackOffThenSucceed() {
        mixpanel.then(new MixpanelImport.Response(429, "{}", Optional.of(Duration.ofSeconds(11))), status(503),
                new HttpTimeoutException("timed out"), status(200));

        deliver(events(4), 1);

        assertEquals(4, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(3, clock.sleeps.size());
        assertEquals(Duration.ofSeconds(11), clock.sleeps.get(0));
        assertTrue(clock.sleeps.get(1).toSeconds() >= 5 && clock.sleeps.get(1).toSeconds() <= 9);
        assertTrue(clock.sleeps.get(2).toSeconds() >= 9 && clock.sleeps.get(2).toSeconds() <= 13);
    }

    @Test
    void retriesStopBeforeTheDeadlineReserveAndReturnTheEvents() {
        clock = new FakeClock(Duration.ofSeconds(30));
        mixpanel.fallback = b -> status(503);

        deliver(events(6), 1);

        assertEquals(6, ledger.totals().get(Outcome.RETRY));
        assertEquals(java.util.Map.of("mixpanel_503", 6L), ledger.totals().reasons(Outcome.RETRY));
        assertTrue(clock.remaining.get() >= 5_000 + 2_000, "kept the reserve: " + clock.remaining.get());
    }

    @Test
    void noRequestStartsInsideTheReserve() {
        clock = new FakeClock(Duration.ofSeconds(6));

        deliver(events(3), 1);

        assertEquals(List.of(), mixpanel.batchSizes);
        assertEquals(3, ledger.totals().get(Outcome.RETRY));
        assertEquals(java.util.Map.of("deadline", 3L), ledger.totals().reasons(Outcome.RETRY));
    }

    @Test
    void tooLargeSplitsRecursivelyAndASingleTooLargeEventIsRejected() {
        // anything over 2 events is too large; event "id-0" is too large even alone
        mixpanel.fallback = b -> b.size() > 2 || new String(b.get(0), StandardCharsets.UTF_8).contains("\"i\":0}")
                ? status(413) : status(200);

        deliver(events(9), 1);

        assertAllAccounted(9);
        assertEquals(8, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).mixpanelEvent().endsWith("\"i\":0}"), rejected.get(0).mixpanelEvent());
        assertEquals("mixpanel:too_large", rejected.get(0).reasonCode());
    }

    @Test
    void partialFailuresAreRejectedByIndexFallingBackToTheInsertId() {
        mixpanel.then(status(400, "{\"code\":400,\"failed_records\":["
                + "{\"index\":1,\"insert_id\":\"id-1\",\"field\":\"properties.time\",\"message\":\"old\"},"
                + "{\"index\":99,\"$insert_id\":\"id-3\",\"field\":\"properties.distinct_id\",\"message\":\"bad\"}]}"));

        deliver(events(5), 1);

        assertAllAccounted(5);
        assertEquals(3, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(List.of("{\"event\":\"e\",\"i\":1}", "{\"event\":\"e\",\"i\":3}"),
                rejected.stream().map(RejectedEvent::mixpanelEvent).toList());
        assertEquals("mixpanel:properties.time", rejected.get(0).reasonCode());
        assertEquals("properties.time: old", rejected.get(0).detail());
        assertEquals(1, mixpanel.batchSizes.size(), "never retried");
    }

    @Test
    void failedRecordsNamingNoSentEventLeaveTheRestUncertainSoTheyAreReturnedNotCountedImported() {
        // index out of range and an insert_id never sent: Mixpanel refused something we cannot identify
        mixpanel.then(status(400, "{\"code\":400,\"failed_records\":["
                + "{\"index\":1,\"insert_id\":\"id-1\",\"field\":\"properties.time\",\"message\":\"old\"},"
                + "{\"index\":99,\"insert_id\":\"nobody\",\"field\":\"properties.x\",\"message\":\"bad\"}]}"));

        deliver(events(5), 1);

        assertAllAccounted(5);
        assertEquals(0, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(1, ledger.totals().get(Outcome.REJECTED_BY_MIXPANEL), "the named one is still rejected");
        assertEquals(java.util.Map.of("mixpanel_unmatched_failed_records", 4L), ledger.totals().reasons(Outcome.RETRY));
        assertEquals(1, mixpanel.batchSizes.size(), "returned for redelivery, not resent in this invocation");
    }

    @Test
    void anEmptyFailedRecordsListImportsNothingForSure() {
        mixpanel.then(status(400, "{\"code\":400,\"failed_records\":[]}"));

        deliver(events(3), 1);

        assertEquals(0, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(3, ledger.totals().get(Outcome.RETRY));
    }

    @Test
    void a400WithoutFailedRecordsRejectsTheBatchWithMixpanelsError() {
        mixpanel.then(status(400, "{\"error\":\"invalid JSON\"}"));

        deliver(events(3), 1);

        assertEquals(3, ledger.totals().get(Outcome.REJECTED_BY_MIXPANEL));
        assertTrue(rejected.get(0).detail().contains("invalid JSON"));
    }

    @Test
    void a401ReloadsCredentialsOnceAndResends() {
        mixpanel.then(status(401), status(200));

        deliver(events(3), 1);

        assertEquals(1, mixpanel.reloads.get());
        assertEquals(3, ledger.totals().get(Outcome.IMPORTED));
    }

    @Test
    void repeated401And403FailTheBatchAsConfigurationErrors() {
        mixpanel.fallback = b -> status(401);
        deliver(events(4), 2);
        assertEquals(1, mixpanel.reloads.get(), "credentials re-read once per invocation");
        assertEquals(4, ledger.totals().get(Outcome.RETRY));
        assertEquals(java.util.Map.of("mixpanel_401", 4L), ledger.totals().reasons(Outcome.RETRY));

        EventLedger other = new EventLedger();
        mixpanel.fallback = b -> status(403);
        try (MixpanelDelivery d = new MixpanelDelivery(mixpanel, RetryPolicy.mixpanel(new SplittableRandom(3)),
                clock::sleep, clock.deadline(), DeliverySettings.defaults(1), other, rejects)) {
            d.submit(events(2));
        }
        assertEquals(java.util.Map.of("mixpanel_403", 2L), other.totals().reasons(Outcome.RETRY));
    }

    @Test
    void unreadableCredentialsAreAConfigurationErrorUnlessTheSecretsServiceFailed() {
        mixpanel.then(new MixpanelImport.CredentialsException("bad json", false, null));
        deliver(events(2), 1);
        assertEquals(java.util.Map.of("mixpanel_credentials_invalid", 2L), ledger.totals().reasons(Outcome.RETRY));

        mixpanel.then(new MixpanelImport.CredentialsException("throttled", true, null), status(200));
        deliver(events(2), 1);
        assertEquals(2, ledger.totals().get(Outcome.IMPORTED));
    }

    @Test
    void concurrentBatchesNeverExceedTheConfiguredConcurrency() {
        mixpanel.holdMillis = 30;
        try (MixpanelDelivery d = delivery(3)) {
            for (int i = 0; i < 12; i++) {
                d.submit(events(2));
            }
        }
        assertEquals(24, ledger.totals().get(Outcome.IMPORTED));
        assertTrue(mixpanel.maxInFlight.get() <= 3, "max in flight " + mixpanel.maxInFlight.get());
        assertTrue(mixpanel.maxInFlight.get() >= 2, "batches do run concurrently");
    }

    @Test
    void rejectsThatTheQueueRefusesAreReturnedForRetry() {
        EventLedger l = new EventLedger();
        RejectBuffer failing = new RejectBuffer(r -> {
            throw new IllegalStateException("queue down");
        }, l, 10);
        failing.add(RejectedEvent.malformed("m", "malformed:not_json", "x", null, "sqs", "x"));
        RejectBuffer partlyFailing = new RejectBuffer(r -> List.of(r.get(0)), l, 10);
        partlyFailing.add(RejectedEvent.malformed("n", "malformed:not_json", "x", null, "sqs", "x"));
        partlyFailing.add(RejectedEvent.malformed("n", "malformed:not_json", "y", null, "sqs", "y"));

        failing.flush();
        partlyFailing.flush();

        assertEquals(1, l.count("m", Outcome.RETRY));
        assertEquals(1, l.count("n", Outcome.RETRY));
        assertEquals(1, l.count("n", Outcome.REJECTED_MALFORMED));
    }

    @Test
    void theSameEventIsNeverCountedTwiceWhenBatchesShareMessages() {
        mixpanel.then(status(503), status(413));
        deliver(events(8), 2);
        assertAllAccounted(8);
        assertEquals(8, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(4, ledger.count("m0", Outcome.IMPORTED));
    }
}
