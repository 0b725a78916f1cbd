package dev.currentsbridge.reliability.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.InsertIds;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.avro.file.CodecFactory;

/**
 * One export world for fault schedules: a random mix of SQS messages (storage events, HTTP-connector batches, S3
 * notifications of Avro files, malformed bodies) with known fates, an in-memory SQS that redelivers every message
 * an invocation lists in {@code batchItemFailures}, and the oracle: each input event must end imported, rejected by
 * Mixpanel, rejected as malformed, or skipped: exactly one of them, whatever the faults did on the way.
 */
final class ExportWorld {

    /** What an input unit (an event, or a whole malformed message) must end as. */
    enum Fate { IMPORTED, REJECTED_BY_MIXPANEL, REJECTED_MALFORMED, SKIPPED }

    static final String BUCKET = "currents-bucket";
    static final long TIME = CurrentsFixtures.TIME;

    private final Random r;
    final ManualClock clock;
    final Map<String, Fate> expected = new TreeMap<>();
    /** Expected distinct_id per event id (imported ones). */
    final Map<String, String> users = new HashMap<>();
    final Map<String, String> idOfInsertId = new HashMap<>();
    private final Deque<SQSEvent.SQSMessage> queue = new ArrayDeque<>();
    private final Function<String, Boolean> mixpanelInvalid;
    /**
     * Loopback mode: Mixpanel-invalid events carry a time far in the future, which the real fake refuses in
     * {@code failed_records}; Avro records (fixed time) are then never Mixpanel-invalid.
     */
    boolean futureTimeMakesInvalid;
    /** Prefix of this world's message ids: a fake shared by several worlds may still import a late request of another. */
    String idPrefix = "";
    static final long FUTURE = 4_102_444_800L; // 2100-01-01
    int invocations;
    int redeliveries;
    long eventsReturned;
    int messages;

    ExportWorld(Random r, ManualClock clock, Function<String, Boolean> mixpanelInvalid) {
        this.r = r;
        this.clock = clock;
        this.mixpanelInvalid = mixpanelInvalid;
    }

    // ---- input ------------------------------------------------------------------------------------------------

    /** Fills the queue; Avro files go to {@code putObject(key, bytes)}. */
    void generate(int messageCount, java.util.function.BiConsumer<String, byte[]> putObject) {
        for (int m = 0; m < messageCount; m++) {
            String messageId = idPrefix + "m" + m;
            switch (r.nextInt(10)) {
                case 0, 1, 2 -> {
                    ObjectNode e = event(messageId + "-0", false);
                    enqueue(messageId, e.put("event_type", CurrentsFixtures.EMAIL_OPEN).toString(), null);
                }
                case 3, 4, 5 -> {
                    List<ObjectNode> events = new ArrayList<>();
                    for (int i = 0, n = 1 + r.nextInt(r.nextInt(10) == 0 ? 120 : 12); i < n; i++) {
                        events.add(httpEvent(messageId + "-" + i));
                    }
                    enqueue(messageId, CurrentsFixtures.httpBatch(events), null);
                }
                case 6, 7, 8 -> {
                    int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 300 : 20);
                    int noUserEvery = r.nextInt(4) == 0 ? 0 : 2 + r.nextInt(8);
                    byte[] file = CurrentsFixtures.emailOpenAvro(messageId, n, noUserEvery,
                            r.nextBoolean() ? CodecFactory.nullCodec() : CodecFactory.deflateCodec(1));
                    for (int i = 0; i < n; i++) {
                        String id = messageId + "-" + i;
                        boolean noUser = noUserEvery > 0 && i % noUserEvery == 0;
                        expect(id, noUser ? null : "user-" + id, false, !futureTimeMakesInvalid);
                    }
                    String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, messageId);
                    putObject.accept(key, file);
                    enqueue(messageId, CurrentsFixtures.s3Notification(BUCKET, key), null);
                }
                default -> {
                    // text SQS can carry (it refuses most control characters)
                    String body = r.nextBoolean() ? "{\"not\": \"a currents event\"" : dev.currentsbridge.standins.fixtures.RandomCases
                            .string(r, "{}[]\":,.-_ abcdefXYZ0123456789\u00e9\u20ac\n\t", 1, 80);
                    expected.put("msg:" + messageId, Fate.REJECTED_MALFORMED);
                    enqueue(messageId, body, null);
                }
            }
        }
        messages = messageCount;
    }

    private ObjectNode event(String id, boolean http) {
        boolean noUser = r.nextInt(6) == 0;
        boolean badTime = r.nextInt(15) == 0;
        ObjectNode e = CurrentsFixtures.emailOpen(id, noUser ? null : "user-" + id);
        if (badTime) {
            e.put("time", 5); // before 1971: refused by the mapper
        }
        if (expect(id, noUser ? null : "user-" + id, badTime, true) == Fate.REJECTED_BY_MIXPANEL && futureTimeMakesInvalid) {
            e.put("time", FUTURE);
        }
        return e;
    }

    private ObjectNode httpEvent(String id) {
        boolean noUser = r.nextInt(6) == 0;
        boolean badTime = r.nextInt(15) == 0;
        Fate fate = expect(id, noUser ? null : "user-" + id, badTime, true);
        long time = badTime ? 5 : fate == Fate.REJECTED_BY_MIXPANEL && futureTimeMakesInvalid ? FUTURE : TIME;
        return CurrentsFixtures.httpCustomEvent(id, noUser ? null : "user-" + id, time);
    }

    private Fate expect(String id, String user, boolean badTime, boolean mayBeMixpanelInvalid) {
        String insertId = InsertIds.fromCurrentsId(id);
        idOfInsertId.put(insertId, id);
        Fate fate = user == null ? Fate.SKIPPED : badTime ? Fate.REJECTED_MALFORMED
                : mayBeMixpanelInvalid && mixpanelInvalid.apply(insertId) ? Fate.REJECTED_BY_MIXPANEL : Fate.IMPORTED;
        expected.put(id, fate);
        users.put(id, user);
        return fate;
    }

    /** The generated messages (loopback mode sends them to a real queue instead of the in-memory one). */
    List<SQSEvent.SQSMessage> takeQueue() {
        List<SQSEvent.SQSMessage> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    private void enqueue(String messageId, String body, Map<String, SQSEvent.MessageAttribute> attributes) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(messageId);
        m.setBody(body);
        m.setMessageAttributes(attributes == null ? Map.of() : attributes);
        m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:export");
        m.setAttributes(new HashMap<>(Map.of("ApproximateReceiveCount", "1")));
        queue.add(m);
    }

    boolean queueEmpty() {
        return queue.isEmpty();
    }

    int queued() {
        return queue.size();
    }

    // ---- invocations ------------------------------------------------------------------------------------------

    /**
     * One Lambda invocation over up to 10 messages with {@code budget} left; messages not listed as failures are
     * deleted, the others go back to the queue (redelivered later, as SQS does after the visibility timeout).
     */
    void invoke(ExportHandler handler, Duration budget, List<String> emf, FuzzStats stats) {
        int n = Math.min(queue.size(), 1 + r.nextInt(10));
        List<SQSEvent.SQSMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(queue.poll());
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(batch);
        int emfBefore = emf.size();
        SQSBatchResponse response = handler.handleRequest(event, clock.contextWith(budget));
        invocations++;
        Set<String> failed = new HashSet<>();
        response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.getMessageId()));
        assertTrue(ids.containsAll(failed), "batchItemFailures name messages of this batch");
        // the ledger of the invocation adds up
        assertEquals(emfBefore + 1, emf.size(), "one EMF line per invocation");
        Map<String, Double> metrics = dev.currentsbridge.standins.junit.LogCapture.parseEmf(emf.get(emf.size() - 1));
        long received = metric(metrics, "EventsReceived");
        assertEquals(received, metric(metrics, "EventsExported") + metric(metrics, "EventsSkipped")
                + metric(metrics, "EventsRejected") + metric(metrics, "EventsReturned"), "ledger adds up: " + metrics);
        assertEquals(failed.size(), metric(metrics, "MessagesReturned"));
        eventsReturned += metric(metrics, "EventsReturned");
        stats.add("events read (all deliveries)", received);
        for (SQSEvent.SQSMessage m : batch) {
            if (failed.contains(m.getMessageId())) {
                redeliveries++;
                int count = Integer.parseInt(m.getAttributes().get("ApproximateReceiveCount")) + 1;
                m.getAttributes().put("ApproximateReceiveCount", String.valueOf(count));
                queue.add(m);
            }
        }
        clock.advance(Duration.ofSeconds(1));
    }

    private static long metric(Map<String, Double> m, String name) {
        return Math.round(m.getOrDefault(name, 0.0));
    }

    // ---- invariants -------------------------------------------------------------------------------------------

    /** Counts per fate observed; fails on any lost, doubled, contradictory or altered event. */
    Map<Fate, Long> check(List<JsonNode> imported, List<RejectedEvent> rejects) throws IOException {
        assertTrue(queue.isEmpty(), "every returned message was redelivered until done");
        Map<String, JsonNode> firstCopy = new HashMap<>();
        Set<String> importedIds = new HashSet<>();
        for (JsonNode e : imported) {
            JsonNode p = e.path("properties");
            String insertId = p.path("$insert_id").asText();
            String id = idOfInsertId.get(insertId);
            if (id == null && !idPrefix.isEmpty()) {
                continue; // a slow request of an earlier world, answered after its client gave up
            }
            assertTrue(id != null, "imported an event nobody sent");
            JsonNode first = firstCopy.putIfAbsent(insertId, e);
            if (first != null) { // a retried batch: Mixpanel dedupes it only if nothing that identifies it changed
                assertEquals(first.path("event"), e.path("event"), "re-import with another event name");
                assertEquals(first.path("properties").path("time"), p.path("time"), "re-import with another time");
                assertEquals(first.path("properties").path("distinct_id"), p.path("distinct_id"),
                        "re-import with another distinct_id");
            }
            assertEquals(users.get(id), p.path("distinct_id").asText(), "distinct_id is the external user id");
            assertEquals(TIME * 1000, p.path("time").asLong(), "time in milliseconds");
            importedIds.add(id);
        }
        Map<String, Set<Outcome>> rejected = new HashMap<>();
        Map<String, String> reasons = new HashMap<>();
        for (RejectedEvent rej : rejects) {
            assertFalse(rej.reasonCode() == null || rej.reasonCode().isBlank(), "a reject has a reason");
            String unit = unitOf(rej);
            assertTrue(expected.containsKey(unit), "rejected something nobody sent: " + unit);
            rejected.computeIfAbsent(unit, k -> new HashSet<>()).add(rej.outcome());
            reasons.merge(unit, rej.reasonCode() + " (" + rej.detail() + ")", (a, b) -> a + "; " + b);
        }
        Map<Fate, Long> counts = new TreeMap<>();
        expected.forEach((unit, fate) -> {
            boolean isImported = importedIds.contains(unit);
            Set<Outcome> rej = rejected.getOrDefault(unit, Set.of());
            Fate seen;
            if (isImported) {
                assertTrue(rej.isEmpty(), unit + " imported and rejected");
                seen = Fate.IMPORTED;
            } else if (rej.size() == 1) {
                seen = rej.contains(Outcome.REJECTED_BY_MIXPANEL) ? Fate.REJECTED_BY_MIXPANEL : Fate.REJECTED_MALFORMED;
            } else {
                assertTrue(rej.isEmpty(), unit + " rejected in two ways: " + rej);
                seen = Fate.SKIPPED;
            }
            assertEquals(fate, seen, () -> "fate of " + unit + " (loss if expected IMPORTED and seen SKIPPED); rejected for "
                    + reasons.get(unit));
            counts.merge(seen, 1L, Long::sum);
        });
        return counts;
    }

    private String unitOf(RejectedEvent rej) throws IOException {
        if (rej.outcome() == Outcome.REJECTED_MALFORMED && rej.reasonCode().startsWith("malformed:")) {
            return "msg:" + rej.messageId();
        }
        JsonNode original = Json.MAPPER.readTree(rej.original());
        return original.path("id").asText();
    }

    long duplicatesImported(List<JsonNode> imported) {
        Set<String> seen = new HashSet<>();
        return imported.stream().map(e -> e.path("properties").path("$insert_id").asText())
                .filter(idOfInsertId::containsKey).filter(id -> !seen.add(id)).count();
    }
}
