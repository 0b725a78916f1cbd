package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.time.LambdaTime;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.aws.S3Stub;
import dev.currentsbridge.standins.aws.SecretsManagerStub;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.aws.TestAws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The export function wired to real protocols: SQS on ElasticMQ (export and rejects queues), Secrets Manager
 * and S3 on loopback stubs, Mixpanel on its loopback fake; the handler built with real SDK clients. Captures
 * logs and EMF lines, and checks on close that no log line carries personal data from the inputs.
 */
final class ExportHarness implements AutoCloseable {

    static final String SECRET_ID = "currents-bridge/mixpanel";
    static final String SA_USER = "bridge.sa";
    static final String SA_SECRET = "sa-secret-1";
    static final String PROJECT_ID = "31337";
    static final String BUCKET = "currents-bucket";

    final ElasticMq sqs = ElasticMq.shared();
    final SecretsManagerStub secrets = SecretsManagerStub.start();
    final S3Stub s3 = S3Stub.start();
    final MixpanelFake mixpanel = MixpanelFake.start();
    final String exportQueue;
    final String rejectsQueue;
    final List<String> logs = new CopyOnWriteArrayList<>();
    final List<String> emf = new CopyOnWriteArrayList<>();
    private final Consumer<String> previousLog;
    private final Consumer<String> previousMetrics;

    ExportHarness(boolean fifo) {
        exportQueue = fifo ? sqs.createFifoQueue("export") : sqs.createQueue("export");
        rejectsQueue = sqs.createQueue("rejects");
        secrets.put(SECRET_ID, serviceAccountSecret(SA_USER, SA_SECRET, PROJECT_ID));
        mixpanel.acceptServiceAccount(SA_USER, SA_SECRET, PROJECT_ID);
        previousLog = Log.setSink(logs::add);
        previousMetrics = Metrics.setSink(emf::add);
    }

    static String serviceAccountSecret(String user, String secret, String project) {
        return Json.MAPPER.createObjectNode().put("service_account_user", user).put("service_account_secret", secret)
                .put("project_id", project).toString();
    }

    Env env(Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>(TestAws.endpoints(sqs.endpoint(), secrets.endpoint(), s3.endpoint()));
        m.put("MIXPANEL_API_URL", mixpanel.baseUrl());
        m.put("MIXPANEL_SECRET_ID", SECRET_ID);
        m.put("REJECTS_QUEUE_URL", rejectsQueue);
        m.putAll(overrides);
        return Env.of(m);
    }

    ExportHandler handler(Map<String, String> overrides, LambdaTime time) {
        Env env = env(overrides);
        return new ExportHandler(ExportPorts.fromAws(TestAws.clients(env), env), env, time.sleeper(),
                new SplittableRandom(42));
    }

    ExportHandler handler(LambdaTime time) {
        return handler(Map.of(), time);
    }

    void send(String body) {
        send(body, Map.of());
    }

    void send(String body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> attrs = new HashMap<>();
        attributes.forEach((k, v) -> attrs.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        sqs.client().sendMessage(b -> {
            b.queueUrl(exportQueue).messageBody(body).messageAttributes(attrs);
            if (exportQueue.endsWith(".fifo")) {
                b.messageGroupId("currents");
            }
        });
    }

    /** One Lambda invocation over what is in the export queue (up to 10 messages). */
    Invocation invoke(ExportHandler handler, LambdaTime time) {
        SqsLambdaPoller poller = new SqsLambdaPoller(sqs.client(), exportQueue);
        SQSEvent event = poller.receive(10);
        int emfBefore = emf.size();
        SQSBatchResponse response = handler.handleRequest(event, time.context());
        poller.complete(event, response);
        Map<String, Double> metrics = emf.size() > emfBefore ? dev.currentsbridge.standins.junit.LogCapture.parseEmf(emf.get(emf.size() - 1)) : Map.of();
        List<String> failed = new ArrayList<>();
        response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        List<String> ids = new ArrayList<>();
        event.getRecords().forEach(r -> ids.add(r.getMessageId()));
        return new Invocation(ids, failed, metrics);
    }

    Invocation invoke(ExportHandler handler) {
        LambdaTime time = new LambdaTime(Duration.ofMinutes(5));
        return invoke(handler, time);
    }

    /** Drains the rejects queue, parsed. */
    List<JsonNode> rejects() {
        List<JsonNode> out = new ArrayList<>();
        for (Message m : sqs.drain(rejectsQueue)) {
            try {
                out.add(Json.MAPPER.readTree(m.body()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** What one invocation answered and counted. */
    record Invocation(List<String> messageIds, List<String> failedMessageIds, Map<String, Double> metrics) {

        long metric(String name) {
            return Math.round(metrics.getOrDefault(name, 0.0));
        }

        /** Every event read is in exactly one bucket, and their number is what the test sent. */
        void assertAccountedFor(long expectedEvents) {
            long received = metric("EventsReceived");
            assertEquals(expectedEvents, received, "events read");
            assertEquals(received, metric("EventsExported") + metric("EventsSkipped") + metric("EventsRejected")
                    + metric("EventsReturned"), "ledger buckets must sum to the events read: " + metrics);
        }
    }

    @Override
    public void close() {
        try {
            for (String line : logs) {
                assertFalse(line.contains("@example.com"), "a log line holds an email address: " + line);
                assertFalse(line.contains("user-"), "a log line holds an external user id: " + line);
                assertFalse(line.contains(SA_SECRET), "a log line holds a secret: " + line);
            }
        } finally {
            Log.setSink(previousLog);
            Metrics.setSink(previousMetrics);
            mixpanel.close();
            s3.close();
            secrets.close();
        }
    }
}
