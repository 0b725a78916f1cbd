package dev.currentsbridge.standins.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQS semantics the export retry budget is proven against: each one checked on its own. */
class SimulatedSqsTest {

    private final ManualClock clock = new ManualClock();
    private final SimulatedSqs queue = new SimulatedSqs("q", new SimulatedSqs.Settings(Duration.ofSeconds(720), 3,
            Duration.ofDays(4)), clock);

    @Test
    void aReceiveHidesForTheVisibilityTimeoutAndCountsEveryReceive() {
        queue.send("a");
        SimulatedSqs.Received first = queue.receive(10).get(0);
        assertEquals(1, first.receiveCount());
        assertEquals(List.of(), queue.receive(10), "hidden while in flight");
        clock.advance(Duration.ofSeconds(720));
        assertEquals(2, queue.receive(10).get(0).receiveCount());
    }

    @Test
    void atMostTenPerReceive() {
        for (int i = 0; i < 25; i++) {
            queue.send("m" + i);
        }
        assertEquals(10, queue.receive(50).size());
    }

    @Test
    void afterMaxReceiveCountTheNextReceiveMovesItToTheDeadLetterQueue() {
        queue.send("poison");
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, queue.receive(10).get(0).receiveCount());
            clock.advance(Duration.ofSeconds(721));
        }
        assertEquals(List.of(), queue.receive(10));
        assertEquals(1, queue.deadLetters().size());
        assertEquals(3, queue.deadLetters().get(0).receiveCount());
    }

    @Test
    void changeVisibilityCountsFromTheCallAndStopsAtTwelveHoursSinceTheReceive() {
        queue.send("a");
        SimulatedSqs.Received r = queue.receive(10).get(0);
        clock.advance(Duration.ofMinutes(2));
        assertFalse(queue.changeVisibility(r.receiptHandle(), Duration.ofHours(12)), "2 min + 12 h > 12 h: refused");
        assertTrue(queue.changeVisibility(r.receiptHandle(), Duration.ofHours(11)));
        clock.advance(Duration.ofHours(11).minusSeconds(1));
        assertEquals(List.of(), queue.receive(10));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, queue.receive(10).size());
    }

    @Test
    void aStaleReceiptHandleChangesAndDeletesNothing() {
        queue.send("a");
        String old = queue.receive(10).get(0).receiptHandle();
        clock.advance(Duration.ofSeconds(721));
        String current = queue.receive(10).get(0).receiptHandle();
        assertFalse(queue.delete(old));
        assertFalse(queue.changeVisibility(old, Duration.ZERO));
        assertTrue(queue.delete(current));
        assertEquals(0, queue.depth());
    }

    @Test
    void messagesOlderThanTheRetentionExpireSilently() {
        queue.send("a");
        clock.advance(Duration.ofDays(4));
        assertEquals(List.of(), queue.receive(10));
        assertEquals(1, queue.expired().size());
        assertEquals(0, queue.depth());
    }

    @Test
    void servesTheVisibilityPortForItsOwnMessagesOnly() {
        queue.send("a");
        SimulatedSqs.Received r = queue.receive(10).get(0);
        List<String> failed = queue.hide(List.of(
                new MessageVisibility.Delay(r.messageId(), r.receiptHandle(), queue.arn(), Duration.ofHours(1)),
                new MessageVisibility.Delay("x", r.receiptHandle(), "arn:aws:sqs:us-east-1:1:other", Duration.ZERO)));
        assertEquals(List.of("x"), failed);
        clock.advance(Duration.ofMinutes(59));
        assertEquals(List.of(), queue.receive(10));
    }

    @Test
    void theMappingKeepsToItsCapDeletesWhatSucceededAndBacksOffOnErrors() {
        for (int i = 0; i < 200; i++) {
            queue.send("m" + i);
        }
        List<Integer> batchSizes = new ArrayList<>();
        boolean[] fail = {true};
        SimulatedEventSourceMapping mapping = new SimulatedEventSourceMapping(queue,
                new SimulatedEventSourceMapping.Settings(10, 3, Duration.ofSeconds(120)), clock, (event, context) -> {
                    batchSizes.add(event.getRecords().size());
                    if (fail[0]) {
                        throw new IllegalStateException("down");
                    }
                    return new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(
                            event.getRecords().get(0).getMessageId())));
                });
        mapping.runUntil(clock.peek().plus(Duration.ofMinutes(30)), now -> {
        });
        assertTrue(mapping.functionErrors() > 0);
        assertEquals(1, mapping.leastAllowed(), "errors halve the concurrency down to one");
        assertTrue(mapping.mostConcurrent() <= 3);
        assertEquals(200, queue.depth(), "a failed invocation deletes nothing");
        fail[0] = false;
        mapping.runUntil(clock.peek().plus(Duration.ofHours(3)), now -> {
        });
        assertTrue(queue.depth() < 200, "answered batches delete all but the listed failures");
        assertTrue(batchSizes.stream().allMatch(n -> n <= 10));
    }
}
