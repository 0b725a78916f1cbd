package dev.currentsbridge.export.domain.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventLedgerTest {

    @Test
    void aMessageNeedsRedeliveryOnlyWhenSomeEventIsRetriedOrItWasNotRead() {
        EventLedger l = new EventLedger();
        l.record("done", Outcome.IMPORTED, null, 3);
        l.record("done", Outcome.SKIPPED, "no_external_user_id", 1);
        l.record("done", Outcome.REJECTED_BY_MIXPANEL, "mixpanel:properties.time", 1);
        l.record("done", Outcome.REJECTED_MALFORMED, "malformed:not_json", 1);
        l.record("partly", Outcome.IMPORTED, null, 5);
        l.record("partly", Outcome.RETRY, "deadline", 1);
        l.deferred("unread", "fifo_after_failure");
        l.open("empty");

        assertFalse(l.needsRedelivery("done"));
        assertTrue(l.needsRedelivery("partly"));
        assertTrue(l.needsRedelivery("unread"));
        assertFalse(l.needsRedelivery("empty"));
        assertEquals(List.of("done", "partly", "unread", "empty"), l.messageIds());
    }

    @Test
    void exhaustingMovesTheWaitingEventsAndCountsAnUnreadMessageAsOne() {
        EventLedger l = new EventLedger();
        l.record("partly", Outcome.IMPORTED, null, 2);
        l.record("partly", Outcome.RETRY, "mixpanel_503", 3);
        l.record("partly", Outcome.RETRY, "deadline", 1);
        l.deferred("unread", "deadline");
        assertEquals(List.of("deadline", "mixpanel_503"), l.retryReasons("partly"));
        assertEquals(List.of("deadline"), l.retryReasons("unread"));

        assertEquals(4, l.exhaust("partly"));
        assertEquals(1, l.exhaust("unread"));

        assertFalse(l.needsRedelivery("partly"));
        assertFalse(l.needsRedelivery("unread"));
        assertEquals(2, l.count("partly", Outcome.IMPORTED), "imported events stay imported");
        assertEquals(4, l.count("partly", Outcome.RETRIES_EXHAUSTED));
        EventLedger.Totals t = l.totals();
        assertEquals(0, t.get(Outcome.RETRY));
        assertEquals(Map.of("retries_exhausted", 5L), t.reasons(Outcome.RETRIES_EXHAUSTED));
        assertEquals(7, t.events(), "every event still counted once");
        assertEquals(0, t.deferredMessages());
    }

    @Test
    void totalsSumEveryBucketAndKeepReasons() {
        EventLedger l = new EventLedger();
        l.record("a", Outcome.IMPORTED, null, 10);
        l.record("a", Outcome.SKIPPED, "no_external_user_id", 2);
        l.record("b", Outcome.SKIPPED, "no_external_user_id", 1);
        l.record("b", Outcome.SKIPPED, "type_not_selected", 4);
        l.record("b", Outcome.RETRY, "mixpanel_503", 3);
        l.record("b", Outcome.IMPORTED, null, 0);
        l.deferred("c", "deadline");

        EventLedger.Totals t = l.totals();

        assertEquals(20, t.events());
        assertEquals(10, t.get(Outcome.IMPORTED));
        assertEquals(7, t.get(Outcome.SKIPPED));
        assertEquals(Map.of("no_external_user_id", 3L, "type_not_selected", 4L), t.reasons(Outcome.SKIPPED));
        assertEquals(3, t.messages());
        assertEquals(1, t.deferredMessages());
        assertEquals(20L, t.asLogFields().get("events"));
        assertEquals(12, l.events("a"));
        assertEquals(3, l.count("b", Outcome.RETRY));
    }

    @Test
    void concurrentRecordingLosesNothing() throws InterruptedException {
        EventLedger l = new EventLedger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 1000; i++) {
                    l.record("m" + (i % 3), i % 2 == 0 ? Outcome.IMPORTED : Outcome.RETRY, "r" + id);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8000, l.totals().events());
        assertEquals(4000, l.totals().get(Outcome.RETRY));
    }
}
