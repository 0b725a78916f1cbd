package dev.currentsbridge.reliability.export;

import dev.currentsbridge.standins.junit.LogCapture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.time.LambdaTime;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.fixtures.RandomCases;
import dev.currentsbridge.standins.aws.S3Stub;
import dev.currentsbridge.standins.aws.SecretsManagerStub;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.aws.TestAws;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Export fault schedules through the real adapters and SDK clients on loopback: the export and rejects queues on
 * ElasticMQ (messages received, deleted or made visible again exactly as Lambda's poller does), Secrets Manager and
 * S3 stubs, Mixpanel's loopback fake. Faults per schedule: Mixpanel 429 storms, 5xx, 401 (re-read), 413 splits
 * (small body limit), slow answers past the request timeout, partial 400s (deterministic: events timed in 2100), Secrets Manager
 * throttling and 500s, S3 5xx/403, the rejects queue deleted for a while, deadlines that leave no time to send.
 */
class ExportLoopbackFaultInjectionTest {

    static final FuzzStats STATS = new FuzzStats("export-loopback");
    private static final String SECRET_ID = "currents-bridge/mixpanel";
    private static final ElasticMq SQS = ElasticMq.shared();
    private static final SecretsManagerStub SECRETS = SecretsManagerStub.start();
    private static final S3Stub S3 = S3Stub.start();
    private static final MixpanelFake MIXPANEL = MixpanelFake.start();

    private List<String> emf;
    /** A slow answer longer than the request timeout is queued: give the invocation a short deadline. */
    private static boolean slowQueued;
    private static int schedules;
    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
        emf = capture.metrics();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    @AfterAll
    static void print() {
        STATS.print();
        MIXPANEL.close();
        S3.close();
        SECRETS.close();
    }

    private static String exportQueue;
    private static String rejectsQueue;
    private static final AtomicReference<LambdaTime> time = new AtomicReference<>(new LambdaTime(Duration.ofMinutes(5)));
    private static ExportHandler handler;
    private static Env env;
    private static int coldStarts;

    /** A new function instance (cold start): new clients, the credentials secret read again on first use. */
    private static ExportHandler coldStart() {
        coldStarts++;
        return new ExportHandler(ExportPorts.fromAws(TestAws.clients(env), env), env,
                d -> time.get().sleeper().sleep(d), new SplittableRandom(coldStarts));
    }

    /** Four parts of 25 schedules (different seeds), so that no single test runs long on a loaded machine. */
    @ParameterizedTest(name = "part {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void realClientsOnLoopback(int part) {
        if (handler == null) {
            SECRETS.put(SECRET_ID, Json.MAPPER.createObjectNode().put("service_account_user", "sa")
                    .put("service_account_secret", "sa-secret").put("project_id", "7").toString());
            MIXPANEL.acceptServiceAccount("sa", "sa-secret", "7");
            exportQueue = SQS.createQueue("rx-export");
            rejectsQueue = SQS.createQueue("rx-rejects");
            Map<String, String> vars = new HashMap<>(TestAws.endpoints(SQS.endpoint(), SECRETS.endpoint(), S3.endpoint()));
            vars.put("MIXPANEL_API_URL", MIXPANEL.baseUrl());
            vars.put("MIXPANEL_SECRET_ID", SECRET_ID);
            vars.put("REJECTS_QUEUE_URL", rejectsQueue);
            vars.put("MIXPANEL_CONCURRENCY", "3");
            env = Env.of(vars);
            // Mostly one warm function instance (clients and the cached secret persist), sometimes a cold start.
            handler = coldStart();
        }
        RandomCases.forAll("export fault schedules (real SDK clients on loopback), part " + part, Tries.scaled(25),
                0x100BBACL + part, this::schedule);
        STATS.add("function instances (cold starts)", coldStarts);
        coldStarts = 0;
    }

    private void schedule(Random r) throws Exception {
        emf.clear();
        MIXPANEL.reset();
        // A small body limit makes Mixpanel refuse requests by size (413): the batch is split. Deterministic, as
        // Mixpanel's limit is: a single event always fits, so no event is rejected for its company.
        MIXPANEL.maxBodyBytes(RandomCases.oneOf(r, List.of(MixpanelFake.MAX_BODY_BYTES, MixpanelFake.MAX_BODY_BYTES, 4000L)));
        String rejectsName = rejectsQueue.substring(rejectsQueue.lastIndexOf('/') + 1);
        if (r.nextInt(8) == 0) {
            handler = coldStart();
        }
        ExportWorld world = new ExportWorld(r, new ManualClock(), id -> Math.floorMod(id.hashCode(), 9) == 0);
        world.futureTimeMakesInvalid = true;
        world.idPrefix = "s" + (++schedules) + "-";
        world.generate(1 + r.nextInt(8), (key, bytes) -> S3.put(ExportWorld.BUCKET, key, bytes));
        Map<String, String> myIdOf = new HashMap<>();
        for (SQSEvent.SQSMessage m : world.takeQueue()) {
            String realId = SQS.client().sendMessage(b -> b.queueUrl(exportQueue).messageBody(m.getBody())).messageId();
            myIdOf.put(realId, m.getMessageId());
        }
        boolean rejectsDown = r.nextInt(6) == 0;
        if (rejectsDown) {
            SQS.deleteQueue(rejectsQueue);
        }
        SqsLambdaPoller poller = new SqsLambdaPoller(SQS.client(), exportQueue);
        int invocations = 0;
        int faultsInjected = 0;
        for (int i = 0; i < 6; i++) {
            slowQueued = false;
            faultsInjected += injectFaults(r);
            // 7.6 s leaves a 2.6 s request timeout after the 5 s reserve; 6.5 s leaves too little to send at all
            Duration budget = slowQueued ? Duration.ofMillis(7600)
                    : r.nextInt(8) == 0 ? Duration.ofMillis(6500) : Duration.ofMinutes(5);
            if (!invoke(poller, budget)) {
                break;
            }
            invocations++;
        }
        if (rejectsDown) {
            SQS.client().createQueue(b -> b.queueName(rejectsName)); // the outage ends: same name, same URL
        }
        for (int i = 0; i < 60; i++) { // leftover Mixpanel faults are used up by the first requests here
            if (!invoke(poller, Duration.ofMinutes(5))) {
                if (SQS.depth(exportQueue) == 0) {
                    break;
                }
                Thread.sleep(5);
                continue;
            }
            invocations++;
        }
        assertEquals(0, SQS.depth(exportQueue), "every message ends deleted");
        List<RejectedEvent> rejects = new ArrayList<>();
        for (Message m : SQS.drain(rejectsQueue)) {
            JsonNode n = Json.MAPPER.readTree(m.body());
            String myId = myIdOf.get(n.path("sqs_message_id").asText());
            Outcome outcome = n.path("outcome").asText().equals(Outcome.REJECTED_BY_MIXPANEL.label)
                    ? Outcome.REJECTED_BY_MIXPANEL : Outcome.REJECTED_MALFORMED;
            JsonNode original = n.path("original");
            rejects.add(new RejectedEvent(myId, outcome, n.path("reason").asText(), n.path("detail").asText(), null,
                    n.path("origin").asText(), original.isTextual() ? original.asText() : original.toString(), null));
        }
        List<JsonNode> imported = MIXPANEL.imported();
        var counts = world.check(imported, rejects);
        STATS.count("schedules");

        STATS.add("events in (units)", world.expected.size());
        counts.forEach((fate, n) -> STATS.add("final " + fate.name().toLowerCase(), n));
        STATS.add("lost", 0);
        STATS.add("invocations", invocations);
        STATS.add("faults injected", faultsInjected);
        STATS.add("mixpanel requests", MIXPANEL.requests().size());
        STATS.add("duplicate imports (same $insert_id, deduped by Mixpanel)", world.duplicatesImported(imported));
        if (rejectsDown) {
            STATS.count("schedules with the rejects queue down");
        }
    }

    /** Queues this invocation's faults on the stubs; returns how many. */
    private static int injectFaults(Random r) {
        int n = 0;
        for (int i = r.nextInt(5); i > 0; i--, n++) {
            MIXPANEL.enqueue(switch (r.nextInt(10)) {
                case 0, 1 -> MixpanelFake.Fault.rateLimited(r.nextInt(3));
                case 2 -> MixpanelFake.Fault.status(RandomCases.oneOf(r, List.of(500, 502, 503)));
                case 3 -> MixpanelFake.Fault.status(401);
                case 4, 5 -> MixpanelFake.Fault.rateLimited(0);
                case 6 -> {
                    boolean pastTimeout = r.nextInt(12) == 0;
                    slowQueued |= pastTimeout;
                    yield MixpanelFake.Fault.slow(Duration.ofMillis(pastTimeout ? 3000 : 20));
                }
                default -> MixpanelFake.Fault.status(503);
            });
        }
        if (r.nextInt(5) == 0) {
            SECRETS.failNext(1 + r.nextInt(2), r.nextBoolean() ? 400 : 500,
                    r.nextBoolean() ? "ThrottlingException" : "InternalServiceError");
            n++;
        }
        if (r.nextInt(5) == 0) {
            S3.failNext(RandomCases.oneOf(r, List.of(500, 503, 403)));
            n++;
        }
        return n;
    }

    /** One invocation over what the queue hands out; false when nothing was visible. */
    private boolean invoke(SqsLambdaPoller poller, Duration budget) {
        SQSEvent event = poller.receive(10);
        if (event.getRecords().isEmpty()) {
            return false;
        }
        time.set(new LambdaTime(budget));
        int before = emf.size();
        SQSBatchResponse response = handler.handleRequest(event, time.get().context());
        poller.complete(event, response);
        assertTrue(emf.size() > before, "metrics written");
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(emf.get(emf.size() - 1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long received = n.path("EventsReceived").asLong();
        assertEquals(received, n.path("EventsExported").asLong() + n.path("EventsSkipped").asLong()
                + n.path("EventsRejected").asLong() + n.path("EventsReturned").asLong(), "ledger adds up");
        assertEquals(response.getBatchItemFailures().size(), n.path("MessagesReturned").asLong());
        STATS.add("events returned for retry (all deliveries)", n.path("EventsReturned").asLong());
        return true;
    }
}
