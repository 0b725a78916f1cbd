package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.time.LambdaTime;
import dev.currentsbridge.standins.mixpanel.MixpanelFake.Fault;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FIFO export queue: stop at the first failing message and return it and every later one, keeping order. */
class ExportHandlerFifoTest {

    private ExportHarness h;
    private LambdaTime time;

    @BeforeEach
    void setUp() {
        h = new ExportHarness(true);
        time = new LambdaTime(Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void theFirstFailureReturnsThatMessageAndAllLaterOnesUnreadThenTheyFollowInOrder() {
        for (int i = 1; i <= 4; i++) {
            h.send(CurrentsFixtures.storageJson("f-" + i, "user-f-" + i));
        }
        // message 1 imports; message 2 meets a 401 twice (re-read credentials, then configuration error)
        h.mixpanel.enqueue(Fault.slow(Duration.ZERO), Fault.status(401), Fault.status(401));
        ExportHandler handler = h.handler(time);

        ExportHarness.Invocation first = h.invoke(handler, time);

        assertEquals(4, first.messageIds().size());
        assertEquals(first.messageIds().subList(1, 4), first.failedMessageIds());
        assertEquals(Set.of("f-1"), h.mixpanel.importedInsertIds());
        assertEquals(2, first.metric("EventsReceived"), "messages 3 and 4 were not read");
        first.assertAccountedFor(2);
        assertEquals(1, first.metric("EventsReturned"));

        ExportHarness.Invocation second = h.invoke(handler, time);

        second.assertAccountedFor(3);
        assertEquals(List.of(), second.failedMessageIds());
        assertEquals(new LinkedHashSet<>(List.of("f-1", "f-2", "f-3", "f-4")), h.mixpanel.importedInsertIds(),
                "imported in queue order");
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void aPoisonMessageDoesNotStopTheGroup() {
        h.send("garbage");
        h.send(CurrentsFixtures.storageJson("g-1", "user-g-1"));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(2);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(1, h.rejects().size());
        assertEquals(Set.of("g-1"), h.mixpanel.importedInsertIds());
    }
}
