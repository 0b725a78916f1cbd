package dev.currentsbridge.export.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatcherTest {

    static OutgoingEvent event(String id, int bytes) {
        byte[] json = new byte[bytes];
        java.util.Arrays.fill(json, (byte) 'x');
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(idBytes, 0, json, 0, Math.min(idBytes.length, bytes));
        return new OutgoingEvent("msg-" + id, "sqs", null, id, json);
    }

    @Test
    void batchesHoldAtMost2000EventsInArrivalOrder() {
        List<OutgoingEvent> events = new ArrayList<>();
        for (int i = 0; i < 4500; i++) {
            events.add(event("e" + i, 50));
        }

        List<List<OutgoingEvent>> batches = Batcher.pack(events, BatchLimits.MIXPANEL);

        assertEquals(List.of(2000, 2000, 500), batches.stream().map(List::size).toList());
        assertEquals("e2000", batches.get(1).get(0).insertId());
    }

    @Test
    void batchesStayUnderTheUncompressedByteLimitCountingBracketsAndCommas() {
        BatchLimits limits = new BatchLimits(2000, 1000, 900);
        List<OutgoingEvent> events = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 300; i++) {
            events.add(event("e" + i, 1 + r.nextInt(300)));
        }

        List<List<OutgoingEvent>> batches = Batcher.pack(events, limits);

        int total = 0;
        for (List<OutgoingEvent> b : batches) {
            long bytes = BatchLimits.arrayBytes(b.size(), b.stream().mapToLong(e -> e.json().length).sum());
            assertTrue(bytes <= 1000, "batch of " + bytes + " bytes");
            total += b.size();
        }
        assertEquals(300, total);
        // exact boundary: 2 events of 498 bytes make [a,b] = 999 bytes, a third does not fit
        List<List<OutgoingEvent>> exact = Batcher.pack(List.of(event("a", 498), event("b", 498), event("c", 1)), limits);
        assertEquals(List.of(2, 1), exact.stream().map(List::size).toList());
    }

    @Test
    void anEventOverTheSingleEventLimitDoesNotFit() {
        Batcher b = new Batcher(new BatchLimits(10, 10_000, 100), x -> { });
        assertFalse(b.fits(event("big", 101)));
        assertTrue(b.fits(event("ok", 100)));
        assertThrows(IllegalArgumentException.class, () -> b.add(event("big", 101)));
    }

    @Test
    void halvesSplitInTheMiddleKeepingEveryEvent() {
        List<OutgoingEvent> five = List.of(event("a", 5), event("b", 5), event("c", 5), event("d", 5), event("e", 5));
        List<List<OutgoingEvent>> halves = Batcher.halves(five);
        assertEquals(2, halves.get(0).size());
        assertEquals(3, halves.get(1).size());
        assertThrows(IllegalArgumentException.class, () -> Batcher.halves(List.of(event("a", 5))));
    }
}
