package dev.currentsbridge.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.export.CurrentsIngestHandler;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.adapter.S3ObjectSource;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.aws.S3Stub;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.faults.FaultySecretSource;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;

/**
 * Every custom metric the dashboard and the alarms of {@code template.yaml} name (kept equal to the CDK stack's by
 * {@code SamTemplateConsistencyTest}) is one the code really writes: same namespace, name and dimensions. The four
 * handlers run against the stand-ins, through their normal and fault paths (a Mixpanel 503 then retries, Mixpanel
 * down for longer than the retries, a Mixpanel refusal, a malformed message, a wrong and an unreadable token, a
 * Braze 429, a Braze key without access), and the EMF lines they print are collected. The metrics are read from the template, so an alarm or widget added later is checked too.
 */
class DashboardMetricsTest {

    private static final Path TEMPLATE = Path.of("..", "template.yaml");
    private static final String NAMESPACE = "CurrentsBridge";

    /**
     * Metrics written only on paths this run does not take, each with the path, so a reader knows why. Each must
     * still be spelled in the main sources (checked) and must not be emitted by this run (else it belongs to the
     * run, not here).
     */
    private static final Map<Metric, String> RARE_PATHS = Map.of();

    /** A metric as CloudWatch identifies it. */
    record Metric(String namespace, String name, Map<String, String> dimensions) implements Comparable<Metric> {
        @Override
        public int compareTo(Metric o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return namespace + "/" + name + new TreeMap<>(dimensions);
        }
    }

    @Test
    void everyCustomMetricOfTheDashboardAndTheAlarmsIsWrittenByTheCode() throws Exception {
        Set<Metric> named = namedInTemplate();
        assertTrue(named.stream().anyMatch(m -> m.name().equals("EventsReturned")), "the template was read: " + named);

        Set<Metric> emitted = new TreeSet<>();
        try (LogCapture capture = LogCapture.start()) {
            runExport();
            runIngest();
            runCohorts();
            capture.metrics().forEach(line -> emitted.addAll(parse(line)));
            // The fault paths were taken (their counters are above zero, not merely present).
            Map<String, Double> export = totals(capture.metrics(), "export");
            assertTrue(export.get("MixpanelRetries") > 0 && export.get("EventsReturned") > 0
                    && export.get("EventsRejected") >= 2 && export.get("EventsSkipped") > 0, export.toString());
            Map<String, Double> ingest = totals(capture.metrics(), "currents_ingest");
            assertTrue(ingest.get("Status5xx") > 0 && ingest.getOrDefault("EventsTooLarge", 0.0) > 0
                    && ingest.getOrDefault("UnexpectedConnectorVersion", 0.0) > 0, ingest.toString());
            assertTrue(totals(capture.metrics(), "cohort_refresh").get("BrazeThrottled") > 0);
        }

        List<String> problems = new ArrayList<>();
        for (Metric m : named) {
            if (emitted.contains(m)) {
                continue;
            }
            if (!RARE_PATHS.containsKey(m)) {
                problems.add(m + " is named by the template but was not emitted (emitted: " + sameName(emitted, m) + ")");
            }
        }
        for (Map.Entry<Metric, String> rare : RARE_PATHS.entrySet()) {
            if (emitted.contains(rare.getKey())) {
                problems.add(rare.getKey() + " is emitted by this run: take it off RARE_PATHS");
            }
            if (!spelledInMainSources(rare.getKey().name())) {
                problems.add(rare.getKey() + " (" + rare.getValue() + ") is not written anywhere in the main sources");
            }
        }
        assertEquals(List.of(), problems);
    }

    private static Map<String, Double> totals(List<String> lines, String function) {
        Map<String, Double> sums = new TreeMap<>();
        for (String line : lines) {
            try {
                if (function.equals(Json.MAPPER.readTree(line).path("Function").asText())) {
                    LogCapture.parseEmf(line).forEach((k, v) -> sums.merge(k, v, Double::sum));
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return sums;
    }

    private static String sameName(Set<Metric> emitted, Metric m) {
        String same = emitted.stream().filter(e -> e.name().equals(m.name())).map(Metric::toString)
                .collect(Collectors.joining(", "));
        return same.isEmpty() ? "no metric of that name" : same;
    }

    // ---- what the template names ---------------------------------------------------------------------------

    static Set<Metric> namedInTemplate() throws IOException {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(TEMPLATE)).path("Resources");
        Set<Metric> named = new TreeSet<>();
        resources.properties().forEach(r -> {
            JsonNode p = r.getValue().path("Properties");
            switch (r.getValue().path("Type").asText()) {
                case "AWS::CloudWatch::Alarm" -> named.addAll(alarmMetrics(p));
                case "AWS::CloudWatch::Dashboard" -> named.addAll(dashboardMetrics(p.path("DashboardBody")));
                default -> { }
            }
        });
        named.removeIf(m -> !m.namespace().equals(NAMESPACE));
        return named;
    }

    private static List<Metric> alarmMetrics(JsonNode p) {
        List<Metric> out = new ArrayList<>();
        if (p.has("MetricName")) {
            out.add(new Metric(p.path("Namespace").asText(), p.path("MetricName").asText(), dimensions(p.path("Dimensions"))));
        }
        for (JsonNode q : p.path("Metrics")) {
            JsonNode m = q.path("MetricStat").path("Metric");
            if (!m.isMissingNode()) {
                out.add(new Metric(m.path("Namespace").asText(), m.path("MetricName").asText(), dimensions(m.path("Dimensions"))));
            }
        }
        return out;
    }

    private static Map<String, String> dimensions(JsonNode list) {
        Map<String, String> d = new TreeMap<>();
        list.forEach(n -> d.put(n.path("Name").asText(), n.path("Value").asText()));
        return d;
    }

    /** The body is {@code Fn::Sub} of a JSON text (with or without a variable map); ${...} stay inside strings. */
    private static List<Metric> dashboardMetrics(JsonNode body) {
        JsonNode sub = body.path("Fn::Sub");
        String text = sub.isArray() ? sub.get(0).asText() : sub.isTextual() ? sub.asText() : body.asText();
        JsonNode dashboard;
        try {
            dashboard = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("the dashboard body is not JSON", e);
        }
        List<Metric> out = new ArrayList<>();
        for (JsonNode widget : dashboard.path("widgets")) {
            List<String> previous = List.of();
            for (JsonNode row : widget.path("properties").path("metrics")) {
                List<String> parts = new ArrayList<>();
                for (JsonNode cell : row) {
                    if (cell.isTextual()) {
                        parts.add(cell.asText());
                    }
                }
                assertFalse(parts.contains("..."), "the '...' shorthand is not read by this test: " + row);
                for (int i = 0; i < parts.size(); i++) {
                    if (parts.get(i).equals(".")) {
                        parts.set(i, previous.get(i));
                    }
                }
                previous = parts;
                Map<String, String> dims = new TreeMap<>();
                for (int i = 2; i + 1 < parts.size(); i += 2) {
                    dims.put(parts.get(i), parts.get(i + 1));
                }
                out.add(new Metric(parts.get(0), parts.get(1), dims));
            }
        }
        return out;
    }

    // ---- what the code writes ------------------------------------------------------------------------------

    /** One EMF line: each directive's namespace, each dimension set, each metric, with the line's dimension values. */
    static List<Metric> parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
        List<Metric> out = new ArrayList<>();
        for (JsonNode directive : n.path("_aws").path("CloudWatchMetrics")) {
            for (JsonNode dimensionSet : directive.path("Dimensions")) {
                Map<String, String> dims = new TreeMap<>();
                dimensionSet.forEach(d -> dims.put(d.asText(), n.path(d.asText()).asText()));
                for (JsonNode metric : directive.path("Metrics")) {
                    String name = metric.path("Name").asText();
                    assertTrue(n.path(name).isNumber(), "EMF line without a value for " + name + ": " + line);
                    out.add(new Metric(directive.path("Namespace").asText(), name, dims));
                }
            }
        }
        return out;
    }

    private void runExport() {
        ElasticMq mq = ElasticMq.shared();
        String exportQueue = mq.createQueue("metrics-export");
        String rejects = mq.createQueue("metrics-rejects");
        try (S3Stub s3 = S3Stub.start(); MixpanelFake mixpanel = MixpanelFake.start()) {
            mixpanel.acceptServiceAccount("sa", "sa-secret", "1");
            s3.put("bucket", CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "a.avro"),
                    CurrentsFixtures.emailOpenAvro("m", 6, 3, CodecFactory.snappyCodec()));
            Env env = Env.of(TestAws.endpoints(mq.endpoint(), null, s3.endpoint()));
            ExportHandler handler = new ExportHandler(new ExportPorts(
                    new MixpanelHttpImport(SharedHttpClient.get(), URI.create(mixpanel.baseUrl()), new MapSecretSource(Map.of("mp",
                            "{\"service_account_user\":\"sa\",\"service_account_secret\":\"sa-secret\",\"project_id\":\"1\"}")), "mp"),
                    new SqsRejectSink(mq.client(), rejects),
                    new S3ObjectSource(TestAws.clients(env).s3ObjectReader())), Env.of(Map.of()), d -> { }, new SplittableRandom(7));
            // Delivered after one 503 (a retry), one event Mixpanel refuses (time far ahead), one skipped
            // (no external id), one message that is not JSON, an Avro file read from S3.
            mixpanel.enqueue(new MixpanelFake.Fault.Status(503, null));
            send(mq, exportQueue, CurrentsFixtures.storageJson("ok-1", "user-1"));
            send(mq, exportQueue, CurrentsFixtures.emailOpen("late-1", "user-2").put("event_type", CurrentsFixtures.EMAIL_OPEN)
                    .put("time", 4_102_444_800L).toString());
            send(mq, exportQueue, CurrentsFixtures.storageJson("skip-1", null));
            send(mq, exportQueue, "{not json");
            send(mq, exportQueue, CurrentsFixtures.s3Notification("bucket",
                    CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "a.avro")));
            invokeAll(handler, mq, exportQueue);
            // Mixpanel down for longer than the retries: the events go back to the queue.
            for (int i = 0; i < 12; i++) {
                mixpanel.enqueue(new MixpanelFake.Fault.Status(503, null));
            }
            send(mq, exportQueue, CurrentsFixtures.storageJson("back-1", "user-3"));
            invokeAll(handler, mq, exportQueue);
        }
    }

    private static void send(ElasticMq mq, String queue, String body) {
        mq.client().sendMessage(b -> b.queueUrl(queue).messageBody(body));
    }

    private static void invokeAll(ExportHandler handler, ElasticMq mq, String queue) {
        SqsLambdaPoller poller = new SqsLambdaPoller(mq.client(), queue);
        SQSEvent event = poller.receive(10);
        SQSBatchResponse response = handler.handleRequest(event, null);
        poller.complete(event, response);
    }

    private void runIngest() {
        ElasticMq mq = ElasticMq.shared();
        String queue = mq.createQueue("metrics-ingest");
        MapSecretSource token = new MapSecretSource(Map.of("token", "tok-123"));
        Env env = Env.of(Map.of("CURRENTS_TOKEN_SECRET_ID", "token", "EXPORT_QUEUE_URL", queue));
        CurrentsIngestHandler ingest = new CurrentsIngestHandler(new SqsExportQueue(mq.client(), queue), token, env);
        String batch = CurrentsFixtures.httpBatch("in", 3);
        assertEquals(200, ingest.handleRequest(currents("Bearer tok-123", batch), null).getStatusCode());
        assertEquals(4, ingest.handleRequest(currents("Bearer wrong", batch), null).getStatusCode() / 100);
        CurrentsIngestHandler noSecret = new CurrentsIngestHandler(new SqsExportQueue(mq.client(), queue),
                new FaultySecretSource(token, FaultSchedule.always(FaultySecretSource.Fault.class,
                        FaultySecretSource.Fault.NONE, FaultySecretSource.Fault.INTERNAL_ERROR)), env);
        assertEquals(503, noSecret.handleRequest(currents("Bearer tok-123", batch), null).getStatusCode());
        // An event larger than a queue message (enqueued as a reject) in a batch of a connector version not 1.
        ObjectNode big = CurrentsFixtures.httpCustomEvent("in-big", "user-in-big", CurrentsFixtures.TIME);
        ((ObjectNode) big.path("properties").path("custom_properties")).put("padding", "y".repeat(300_000));
        String withBig = CurrentsFixtures.httpBatch(List.of(
                CurrentsFixtures.httpCustomEvent("in-ok", "user-in-ok", CurrentsFixtures.TIME), big));
        assertEquals(200, ingest.handleRequest(currents("Bearer tok-123", withBig, "2"), null).getStatusCode());
    }

    /** As Braze's HTTP connector posts: bearer token, JSON, its connector version header. */
    private static APIGatewayV2HTTPEvent currents(String authorization, String body) {
        return currents(authorization, body, "1");
    }

    private static APIGatewayV2HTTPEvent currents(String authorization, String body, String connectorVersion) {
        return ApiGatewayEvents.event("POST", "/currents", body, false, Map.of("authorization", authorization,
                "content-type", "application/json", "braze-currents-version", connectorVersion), Map.of());
    }

    private void runCohorts() {
        ManualClock clock = new ManualClock();
        CohortState store = InMemoryCohortStore.create();
        Env env = Env.of(Map.of("TABLE_NAME", "unused", "BRAZE_API_KEY_SECRET_ID", "braze", "BRAZE_REST_ENDPOINT", "http://unused"));
        CohortApiHandler api = new CohortApiHandler(store, env, clock);
        String key = new KeyAdmin(store.keys(), clock).create("metrics").secret();
        Map<String, String> auth = Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key),
                "content-type", "application/json");
        String members = webhook("add_members", List.of("u1", "u2", "u3"));
        assertEquals(200, api.handleRequest(ApiGatewayEvents.event("POST", "/mixpanel/webhook", members, false, auth, Map.of()), null)
                .getStatusCode());
        assertEquals(200, api.handleRequest(ApiGatewayEvents.event("POST", "/mixpanel/webhook",
                webhook("remove_members", List.of("u3")), false, auth, Map.of()), null).getStatusCode());
        APIGatewayV2HTTPResponse refused = api.handleRequest(ApiGatewayEvents.event("POST", "/mixpanel/webhook", members, false,
                Map.of("authorization", ApiGatewayEvents.basic("mixpanel", "wrong-key")), Map.of()), null);
        assertEquals(4, refused.getStatusCode() / 100, "a wrong key is refused");

        try (BrazeFake braze = BrazeFake.start("braze-key")) {
            braze.throttleNext(1, "1");
            CohortRefreshHandler refresh = new CohortRefreshHandler(store, new BrazeHttpClient(SharedHttpClient.get(),
                    braze.endpoint(), new CachingSecretSource(new MapSecretSource(Map.of("braze", "braze-key"))), "braze"),
                    env, clock, clock::advance);
            clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
            refresh.handleRequest(new ScheduledEvent(), null);

            // A Braze key without access (a configuration error, not a per-user verdict) on the next changes.
            assertEquals(200, api.handleRequest(ApiGatewayEvents.event("POST", "/mixpanel/webhook",
                    webhook("add_members", List.of("u4")), false, auth, Map.of()), null).getStatusCode());
            CohortRefreshHandler wrongKey = new CohortRefreshHandler(store, new BrazeHttpClient(SharedHttpClient.get(),
                    braze.endpoint(), new CachingSecretSource(new MapSecretSource(Map.of("braze", "not-the-key"))), "braze"),
                    env, clock, clock::advance);
            clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
            try {
                wrongKey.handleRequest(new ScheduledEvent(), null);
            } catch (RuntimeException configurationError) {
                // The invocation may fail (Lambda's Errors metric); its EMF line is flushed either way.
            }
            assertTrue(braze.requests().stream().anyMatch(q -> q.status() == 401), "Braze refused the key");
        }
    }

    private static String webhook(String action, List<String> ids) {
        var root = Json.MAPPER.createObjectNode().put("action", action);
        var p = root.putObject("parameters");
        p.put("mixpanel_project_id", "1").put("mixpanel_cohort_name", "Buyers").put("mixpanel_cohort_id", "c-1")
                .put("mixpanel_cohort_description", "metrics test");
        var members = p.putArray("members");
        ids.forEach(id -> members.addObject().put("mixpanel_distinct_id", id).put("email", id + "@example.com"));
        return root.toString();
    }

    // ---- the code's spelling -------------------------------------------------------------------------------

    private static boolean spelledInMainSources(String metricName) {
        for (String module : List.of("core", "aws", "functions")) {
            try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readString(f).contains("\"" + metricName + "\"")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return false;
    }
}
