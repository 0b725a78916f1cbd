package dev.currentsbridge.reliability.fuzz;

import dev.currentsbridge.standins.junit.LogCapture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.mixpanel.ScheduledMixpanel;
import dev.currentsbridge.standins.faults.FaultyObjectSource;
import dev.currentsbridge.standins.faults.FaultyRejectSink;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.standins.fixtures.Mutations;
import dev.currentsbridge.standins.fixtures.RandomCases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile SQS messages through {@link ExportHandler} (healthy Mixpanel, rejects queue and S3, so every problem is the
 * input's): mutated storage events, HTTP batches, S3 notifications, SNS- and EventBridge-wrapped notifications and the
 * sample SQS bodies of {@code events-samples/sqs}, random JSON and text. Invariants per message: the handler answers,
 * the message is never returned for retry (bad input is not a transient failure), the invocation's ledger adds up, and
 * a message whose events were rejected has its rejects, each with a reason, on the rejects path.
 */
class ExportHandlerFuzzTest {

    static final FuzzStats STATS = new FuzzStats("export-handler-fuzz");
    private List<String> emf;
    private List<String> logs;
    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
        emf = capture.metrics();
        logs = capture.logs();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    @Test
    void hostileMessagesAreRejectedWithAReasonNeverRetried() throws IOException {
        ManualClock clock = new ManualClock();
        ScheduledMixpanel mixpanel = new ScheduledMixpanel(FaultSchedule.healthy(ScheduledMixpanel.Fault.class,
                ScheduledMixpanel.Fault.NONE), 0, clock::advance);
        FaultyRejectSink rejects = new FaultyRejectSink(FaultSchedule.healthy(FaultyRejectSink.Fault.class,
                FaultyRejectSink.Fault.NONE));
        FaultyObjectSource objects = new FaultyObjectSource(FaultSchedule.healthy(FaultyObjectSource.Fault.class,
                FaultyObjectSource.Fault.NONE));
        String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "fuzz");
        objects.put("currents-bucket", key, CurrentsFixtures.emailOpenAvro("f", 5, 3, CodecFactory.deflateCodec(1)));
        ExportHandler handler = new ExportHandler(new ExportPorts(mixpanel, rejects, objects), Env.of(Map.of()),
                clock.sleeper(), new SplittableRandom(1));
        List<String> seeds = seeds(key);
        RandomCases.forAll("export handler hostile messages", Tries.scaled(1200), 0xE4F022L, r -> {
            String seed = RandomCases.oneOf(r, seeds);
            String body = switch (r.nextInt(8)) {
                case 0 -> seed;
                case 1 -> new String(Mutations.mutateBytes(r, seed.getBytes(StandardCharsets.UTF_8), 3), StandardCharsets.UTF_8);
                case 2 -> Mutations.randomJson(r, 4);
                default -> mutateTree(r, seed);
            };
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("msg-" + r.nextInt(1_000_000));
            m.setBody(body);
            m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:export");
            if (r.nextInt(4) == 0) {
                SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
                a.setDataType("String");
                a.setStringValue(RandomCases.oneOf(r, List.of(CurrentsFixtures.EMAIL_OPEN, "", "no.such.Type")));
                m.setMessageAttributes(Map.of("event_type", a));
            }
            SQSEvent event = new SQSEvent();
            event.setRecords(List.of(m));
            int rejectsBefore = rejects.stored().size();
            int logsBefore = logs.size();
            int emfBefore = emf.size();
            SQSBatchResponse response = handler.handleRequest(event, clock.contextWith(Duration.ofMinutes(5)));
            assertTrue(response.getBatchItemFailures().isEmpty(), "bad input is rejected, not retried");
            assertEquals(emfBefore + 1, emf.size());
            JsonNode metrics = Json.MAPPER.readTree(emf.get(emf.size() - 1));
            long received = metrics.path("EventsReceived").asLong();
            long rejected = metrics.path("EventsRejected").asLong();
            assertEquals(received, metrics.path("EventsExported").asLong() + metrics.path("EventsSkipped").asLong()
                    + rejected, "ledger adds up");
            List<RejectedEvent> mine = rejects.stored().subList(rejectsBefore, rejects.stored().size());
            assertEquals(rejected, mine.size(), "each rejected event is on the rejects path");
            for (RejectedEvent rej : mine) {
                assertEquals(m.getMessageId(), rej.messageId());
                assertFalse(rej.reasonCode() == null || rej.reasonCode().isBlank(), "with a reason");
                STATS.count("rejected: " + rej.reasonCode());
            }
            if (received == 0) {
                boolean ignored = logs.subList(logsBefore, logs.size()).stream().anyMatch(l -> l.contains("message ignored"));
                assertTrue(ignored, "a message with no event was ignored by rule (e.g. s3:TestEvent): " + body);
                STATS.count("messages ignored by rule");
            }
            STATS.count("messages");
            STATS.add("events read", received);
            STATS.add("events imported", metrics.path("EventsExported").asLong());
            STATS.add("events skipped", metrics.path("EventsSkipped").asLong());
        });
    }

    private static String mutateTree(java.util.Random r, String seed) {
        try {
            return new String(Mutations.toBytes(Mutations.mutateTree(r, Json.MAPPER.readTree(seed), 3)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return seed;
        }
    }

    /** Valid bodies of every form the export queue carries. */
    private static List<String> seeds(String key) throws IOException {
        List<String> out = new ArrayList<>(List.of(
                CurrentsFixtures.storageJson("s-1", "user-s-1"),
                CurrentsFixtures.httpBatch("h", 5),
                CurrentsFixtures.s3Notification("currents-bucket", key),
                CurrentsFixtures.snsWrapped(CurrentsFixtures.s3Notification("currents-bucket", key)),
                CurrentsFixtures.eventBridgeObjectCreated("currents-bucket", key)));
        Path dir = dev.currentsbridge.standins.fixtures.CurrentsSamples.samplesDir().resolveSibling("sqs");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (JsonNode rec : Json.MAPPER.readTree(f.toFile()).path("Records")) {
                    out.add(rec.path("body").asText());
                }
            }
        }
        return out;
    }
}
