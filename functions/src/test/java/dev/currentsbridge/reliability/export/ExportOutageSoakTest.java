package dev.currentsbridge.reliability.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.redelivery.RetryBudget;
import dev.currentsbridge.export.domain.redelivery.RetryCause;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.aws.SimulatedEventSourceMapping;
import dev.currentsbridge.standins.aws.SimulatedSqs;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.http.ShortTimeoutHttpClient;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mixpanel down for days, simulated: the real {@link ExportHandler} (ports constructor, deployed behaviour:
 * {@code FAIL_INVOCATION}, {@code EXPORT_MAX_RECEIVES} = the queue's {@code maxReceiveCount}) with the real
 * {@link MixpanelHttpImport} against the Mixpanel emulator on loopback, fed by a {@link SimulatedSqs} export queue
 * (visibility 720 s, {@code maxReceiveCount} {@value #MAX_RECEIVES}, retention 14 days, the handler's
 * {@code ChangeMessageVisibility} served by the model) through a {@link SimulatedEventSourceMapping} capped at
 * {@value #MAX_CONCURRENCY} concurrent batches that backs off on function errors. Everything runs on one
 * virtual clock: days pass in seconds.
 *
 * <p>A 72-hour outage (5xx, 429 with and without {@code Retry-After}, answers slower than the client's timeout,
 * a real {@code HttpTimeoutException}; separately, 401 for the whole outage) ends with nothing in the DLQ, nothing expired, nothing rejected and
 * every event imported with the bytes of a run that never failed. An outage that outlasts the budget ends with
 * every message in the rejects queue as {@code retries_exhausted}, none in the DLQ, and the ledger adding up.
 * A backlog that waited unreceived for 12 days before an endless outage ends the same way, given up for its age
 * ({@code EXPORT_QUEUE_RETENTION_SECONDS}) before the 14-day retention deletes anything; without the guard the same
 * backlog expires.
 */
class ExportOutageSoakTest {

    static final int MAX_RECEIVES = RetryBudget.QUEUE_MAX_RECEIVES;
    static final int MAX_CONCURRENCY = 5;
    static final Duration OUTAGE = RetryBudget.DESIGN_OUTAGE;
    static final String SECRET_ID = "mixpanel";
    static final String USER = "soak.sa";
    static final String PASSWORD = "soak-secret";
    static final String PROJECT = "4242";

    enum Down { SERVER_ERRORS, UNAUTHORIZED }

    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    @Test
    void seventyTwoHoursOfServerErrorsThenHealthyLosesNothing() {
        outageThenHealthy(Down.SERVER_ERRORS);
    }

    @Test
    void seventyTwoHoursOf401ThenFixedLosesNothing() {
        outageThenHealthy(Down.UNAUTHORIZED);
    }

    @Test
    void serverErrorsOutlastingTheBudgetEndInRejectsNotTheDlq() {
        outageForever(Down.SERVER_ERRORS);
    }

    @Test
    void a401OutlastingTheBudgetEndsInRejectsNotTheDlq() {
        outageForever(Down.UNAUTHORIZED);
    }

    @Test
    void aBacklogTooOldForTheBudgetEndsInRejectsNotExpired() {
        Duration backlog = Duration.ofDays(12);
        try (World unguarded = new World(Down.SERVER_ERRORS, Duration.ofDays(30), false)) {
            unguarded.runBacklogToEmpty(backlog);
            assertEquals(unguarded.bodies.size(), unguarded.queue.expired().size(),
                    "without the guard every message of the backlog expires silently");
            assertEquals(List.of(), unguarded.rejects);
        }
        try (World w = new World(Down.SERVER_ERRORS, Duration.ofDays(30))) {
            w.runBacklogToEmpty(backlog);
            assertEquals(List.of(), w.queue.deadLetters(), "nothing in the DLQ");
            assertEquals(List.of(), w.queue.expired(), "nothing expired");
            assertEquals(w.bodies.keySet(), new TreeSet<>(w.rejects.stream().map(RejectedEvent::messageId).toList()),
                    "every message given up once, to the rejects queue");
            Set<String> eventIdsInRejects = new TreeSet<>();
            for (RejectedEvent r : w.rejects) {
                assertEquals(Outcome.RETRIES_EXHAUSTED, r.outcome());
                assertEquals(w.bodies.get(r.messageId()), r.original(), "the original message, as received");
                assertTrue(r.detail().contains("h ago"), "the detail gives the age: " + r.detail());
                eventIdsInRejects.addAll(eventIds(r.original()));
            }
            assertEquals(w.eventIds, eventIdsInRejects, "every event is in the rejects queue");
            long perMessage = w.queue.receives() / w.bodies.size();
            assertTrue(perMessage < MAX_RECEIVES, "given up for its age, before its last receive: " + perMessage);
            assertTrue(Duration.between(w.start, w.clock.peek()).compareTo(RetryBudget.QUEUE_RETENTION) < 0,
                    "all given up before the retention");
            w.assertLedgerAddsUp();
            w.assertBackPressureAndCap();
            assertEquals(w.bodies.size(), w.metric("MessagesExhausted"), "MessagesExhausted counts each message");
            assertEquals(w.expectedEvents(), w.metric("Rejected.retries_exhausted"),
                    "Rejected.retries_exhausted counts each event");
        }
    }

    private void outageThenHealthy(Down down) {
        Map<String, String> reference;
        try (World healthy = new World(null, Duration.ZERO)) {
            healthy.runToEmpty();
            reference = healthy.importedByInsertId();
            assertTrue(healthy.rejects.isEmpty(), "a healthy run rejects nothing");
        }
        try (World w = new World(down, OUTAGE)) {
            w.runToEmpty();
            assertEquals(List.of(), w.queue.deadLetters(), "nothing in the DLQ");
            assertEquals(List.of(), w.queue.expired(), "nothing expired");
            assertEquals(List.of(), w.rejects, "nothing rejected");
            assertEquals(w.expectedEvents(), reference.size(), "the healthy run imported every event");
            assertEquals(reference, w.importedByInsertId(), "every event imported, with the bytes of a healthy run");
            assertEquals(List.of(), w.importedBeforeHealing, "nothing was imported during the outage");
            Duration catchUp = Duration.between(w.healsAt, w.lastAnsweredAt);
            assertTrue(catchUp.compareTo(RetryBudget.MAX_DELAY.plusMinutes(30)) <= 0,
                    "everything delivered within one (capped) delay of Mixpanel's return: " + catchUp);
            w.assertLedgerAddsUp();
            w.assertBackPressureAndCap();
            assertEquals(0, w.queue.visibilityRefusals(), "no delay above SQS's 12-hour maximum");
            assertTrue(w.metric("MessagesExhausted") == 0, "nothing given up");
        }
    }

    private void outageForever(Down down) {
        try (World w = new World(down, Duration.ofDays(30))) {
            w.runToEmpty();
            assertEquals(List.of(), w.queue.deadLetters(), "nothing in the DLQ");
            assertEquals(List.of(), w.queue.expired(), "nothing expired");
            assertEquals(w.bodies.keySet(), new TreeSet<>(w.rejects.stream().map(RejectedEvent::messageId).toList()),
                    "every message given up once, to the rejects queue");
            Set<String> eventIdsInRejects = new TreeSet<>();
            for (RejectedEvent r : w.rejects) {
                assertEquals(Outcome.RETRIES_EXHAUSTED, r.outcome());
                assertEquals("retries_exhausted", r.reasonCode());
                assertEquals(w.bodies.get(r.messageId()), r.original(), "the original message, as received");
                eventIdsInRejects.addAll(eventIds(r.original()));
            }
            assertEquals(w.eventIds, eventIdsInRejects, "every event is in the rejects queue");
            assertEquals(0, w.mixpanel.importedUnique(), "Mixpanel never took anything");
            RetryCause cause = down == Down.UNAUTHORIZED ? RetryCause.CONFIGURATION : RetryCause.TRANSIENT;
            Duration firstGivenUp = Duration.between(w.start, w.firstRejectAt);
            assertTrue(firstGivenUp.compareTo(RetryBudget.of(MAX_RECEIVES).span(cause)) >= 0,
                    "no message given up before the budget's span: " + firstGivenUp);
            assertTrue(firstGivenUp.compareTo(OUTAGE) > 0, "the budget outlasts " + OUTAGE);
            w.assertLedgerAddsUp();
            w.assertBackPressureAndCap();
            assertEquals(w.bodies.size(), w.metric("MessagesExhausted"), "MessagesExhausted counts each message");
            assertEquals(w.expectedEvents(), w.metric("Rejected.retries_exhausted"),
                    "Rejected.retries_exhausted counts each event");
        }
    }

    /** The Currents ids in a message body: one storage event or an HTTP batch. */
    static List<String> eventIds(String body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            List<String> ids = new ArrayList<>();
            if (n.has("events")) {
                n.get("events").forEach(e -> ids.add(e.path("id").asText()));
            } else {
                ids.add(n.path("id").asText());
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One deployment on the virtual clock, with Mixpanel down from the start for {@code outage}. */
    final class World implements AutoCloseable {
        final ManualClock clock = new ManualClock();
        final Instant start = clock.peek();
        final SimulatedSqs queue = new SimulatedSqs("export", new SimulatedSqs.Settings(Duration.ofSeconds(720),
                MAX_RECEIVES, RetryBudget.QUEUE_RETENTION), clock);
        final MixpanelFake mixpanel = MixpanelFake.start().acceptServiceAccount(USER, PASSWORD, PROJECT);
        final List<RejectedEvent> rejects = new CopyOnWriteArrayList<>();
        final Map<String, String> bodies = new TreeMap<>();
        final Set<String> eventIds = new TreeSet<>();
        final List<JsonNode> importedBeforeHealing = new ArrayList<>();
        final SimulatedEventSourceMapping mapping;
        final Down down;
        final Instant healsAt;
        final SplittableRandom random = new SplittableRandom(0x50A4L);
        final int metricsBefore = capture.metrics().size();
        boolean healed;
        Instant lastAnsweredAt;
        int requestsBeforeHealing;
        Instant firstRejectAt;
        final boolean retentionGuard;
        Duration backlog = Duration.ZERO;

        World(Down down, Duration outage) {
            this(down, outage, true);
        }

        /** @param retentionGuard the function is told the queue's retention, as the templates do */
        World(Down down, Duration outage, boolean retentionGuard) {
            this.down = down;
            this.retentionGuard = retentionGuard;
            this.healsAt = start.plus(outage);
            if (down != null) {
                // Down means nothing is imported: an answer slower than the client's timeout ends, unheard, in a
                // 401 (for UNAUTHORIZED every answer is that 401).
                mixpanel.revokeAll();
            }
            String secret = Json.MAPPER.createObjectNode().put("service_account_user", USER)
                    .put("service_account_secret", PASSWORD).put("project_id", PROJECT).toString();
            MixpanelHttpImport http = new MixpanelHttpImport(
                    new ShortTimeoutHttpClient(SharedHttpClient.get(), Duration.ofMillis(60)),
                    URI.create(mixpanel.baseUrl()), new MapSecretSource(Map.of(SECRET_ID, secret)), SECRET_ID);
            ExportPorts ports = new ExportPorts(http, sent -> {
                if (firstRejectAt == null) {
                    firstRejectAt = clock.peek();
                }
                rejects.addAll(sent);
                return List.of();
            }, (bucket, key) -> {
                throw new IllegalStateException("no S3 messages in this test");
            }, queue);
            Map<String, String> variables = new HashMap<>(Map.of("EXPORT_MAX_RECEIVES", Integer.toString(MAX_RECEIVES),
                    "MIXPANEL_CONCURRENCY", "4"));
            if (retentionGuard) {
                variables.put("EXPORT_QUEUE_RETENTION_SECONDS", Long.toString(RetryBudget.QUEUE_RETENTION.toSeconds()));
            }
            Env env = Env.of(variables);
            ExportHandler[] handler = new ExportHandler[1];
            mapping = new SimulatedEventSourceMapping(queue, new SimulatedEventSourceMapping.Settings(10,
                    MAX_CONCURRENCY, Duration.ofSeconds(120)), clock, (e, c) -> {
                        var answer = handler[0].handleRequest(e, c);
                        lastAnsweredAt = clock.peek();
                        return answer;
                    });
            handler[0] = new ExportHandler(ports, env, mapping.sleeper(), new SplittableRandom(7),
                    ExportHandler.WholeBatchReturned.FAIL_INVOCATION, clock);
        }

        /** 30 messages now, then one every 4 hours for two days (arriving in the middle of the outage). */
        void runToEmpty() {
            for (int i = 0; i < 20; i++) {
                send(CurrentsFixtures.storageJson("s" + i, "user-s" + i));
            }
            for (int i = 0; i < 10; i++) {
                send(CurrentsFixtures.httpBatch("h" + i, 1 + i % 4));
            }
            Consumer<Instant> world = this::beforeRound;
            for (int h = 4; h <= 48; h += 4) {
                mapping.runUntil(start.plus(Duration.ofHours(h)), world);
                send(CurrentsFixtures.storageJson("late" + h, "user-late" + h));
            }
            Instant limit = start.plus(RetryBudget.QUEUE_RETENTION).plus(Duration.ofDays(1));
            while (queue.depth() > 0 && clock.peek().isBefore(limit)) {
                mapping.runUntil(clock.peek().plus(Duration.ofHours(6)), world);
            }
            assertEquals(0, queue.depth(), "the queue drains");
        }

        /** 30 messages wait unreceived for {@code backlog} (the function disabled), then the poller runs. */
        void runBacklogToEmpty(Duration backlog) {
            for (int i = 0; i < 20; i++) {
                send(CurrentsFixtures.storageJson("s" + i, "user-s" + i));
            }
            for (int i = 0; i < 10; i++) {
                send(CurrentsFixtures.httpBatch("h" + i, 1 + i % 4));
            }
            this.backlog = backlog;
            clock.advance(backlog);
            Instant limit = start.plus(RetryBudget.QUEUE_RETENTION).plus(Duration.ofDays(1));
            while (queue.depth() > 0 && clock.peek().isBefore(limit)) {
                mapping.runUntil(clock.peek().plus(Duration.ofHours(6)), this::beforeRound);
            }
            assertEquals(0, queue.depth(), "the queue drains");
        }

        private void send(String body) {
            bodies.put(queue.send(body), body);
            eventIds.addAll(eventIds(body));
        }

        int expectedEvents() {
            return eventIds.size();
        }

        /** Mixpanel's state at the time of a round: down (faults kept queued) until it heals. */
        private void beforeRound(Instant now) {
            if (down == null || healed) {
                return;
            }
            if (!now.isBefore(healsAt)) {
                healed = true;
                importedBeforeHealing.addAll(mixpanel.imported());
                requestsBeforeHealing = mixpanel.requests().size();
                mixpanel.reset();
                mixpanel.acceptServiceAccount(USER, PASSWORD, PROJECT);
                return;
            }
            if (down == Down.SERVER_ERRORS && mixpanel.pendingFaults() < 50) {
                for (int i = 0; i < 100; i++) {
                    int pick = random.nextInt(12);
                    mixpanel.enqueue(switch (pick) {
                        case 0, 1 -> MixpanelFake.Fault.status(500);
                        case 2, 3 -> MixpanelFake.Fault.status(502);
                        case 4, 5 -> MixpanelFake.Fault.status(503);
                        case 6, 7 -> MixpanelFake.Fault.rateLimited(30);
                        case 8, 9, 10 -> MixpanelFake.Fault.status(429);
                        default -> MixpanelFake.Fault.slow(Duration.ofMillis(150));
                    });
                }
            }
        }

        /** Every imported copy, by {@code $insert_id}; all copies of one id must be byte-identical. */
        Map<String, String> importedByInsertId() {
            List<JsonNode> all = new ArrayList<>(importedBeforeHealing);
            all.addAll(mixpanel.imported());
            Map<String, String> out = new HashMap<>();
            for (JsonNode e : all) {
                String id = e.path("properties").path("$insert_id").asText();
                String bytes = e.toString();
                String previous = out.putIfAbsent(id, bytes);
                assertTrue(previous == null || previous.equals(bytes), "two different copies of " + id);
            }
            return out;
        }

        List<Map<String, Double>> emf() {
            return capture.metrics().subList(metricsBefore, capture.metrics().size()).stream()
                    .map(LogCapture::parseEmf).toList();
        }

        long metric(String name) {
            return Math.round(emf().stream().mapToDouble(m -> m.getOrDefault(name, 0.0)).sum());
        }

        /** Per invocation: received = exported + skipped + rejected + returned; returned messages <= received. */
        void assertLedgerAddsUp() {
            List<Map<String, Double>> lines = emf();
            assertEquals(mapping.invocations(), lines.size(), "one EMF line per invocation");
            for (Map<String, Double> m : lines) {
                double received = m.getOrDefault("EventsReceived", 0.0);
                double buckets = m.getOrDefault("EventsExported", 0.0) + m.getOrDefault("EventsSkipped", 0.0)
                        + m.getOrDefault("EventsRejected", 0.0) + m.getOrDefault("EventsReturned", 0.0);
                assertEquals(received, buckets, "ledger of one invocation: " + m);
            }
        }

        void assertBackPressureAndCap() {
            assertTrue(mapping.mostConcurrent() <= MAX_CONCURRENCY, "MaximumConcurrency holds");
            assertTrue(mapping.functionErrors() > 0, "whole returned batches failed their invocation");
            assertTrue(mapping.leastAllowed() < MAX_CONCURRENCY, "the poller backed off");
            assertTrue(queue.visibilityChanges() > 0, "returned messages were delayed");
            long perMessage = queue.receives() / Math.max(1, bodies.size());
            assertTrue(perMessage <= MAX_RECEIVES, "receives per message within the budget: " + perMessage);
        }

        @Override
        public void close() {
            System.out.println("[figures] export-soak " + (down == null ? "healthy" : down)
                    + (backlog.isZero() ? "" : " backlog_h=" + backlog.toHours() + " retention_guard=" + retentionGuard)
                    + " outage_h="
                    + Duration.between(start, healsAt).toHours() + " messages=" + bodies.size() + " events="
                    + eventIds.size() + " simulated_h=" + Duration.between(start, clock.peek()).toHours()
                    + " invocations=" + mapping.invocations() + " function_errors=" + mapping.functionErrors()
                    + " receives=" + queue.receives() + " delays_set=" + queue.visibilityChanges()
                    + " mixpanel_requests=" + (requestsBeforeHealing + mixpanel.requests().size()) + " rejects=" + rejects.size()
                    + " dlq=" + queue.deadLetters().size() + " expired=" + queue.expired().size()
                    + " caught_up_after_min=" + (lastAnsweredAt == null || !healed ? "-"
                            : Duration.between(healsAt, lastAnsweredAt).toMinutes())
                    + " least_concurrency=" + mapping.leastAllowed() + " most_concurrent=" + mapping.mostConcurrent());
            mixpanel.close();
        }
    }
}
