package dev.currentsbridge.reliability.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.export.CurrentsIngestHandler;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpEngage;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.faults.FaultyObjectSource;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;

/**
 * Runs the main scenarios of both pipelines, error paths included, with every output captured ({@link Log} and
 * {@link Metrics} sinks, {@code System.out} and {@code System.err}), and fails if any email address, phone number,
 * external / distinct id, data import key, secret or token from the inputs appears in any line.
 *
 * <p>Scenarios: export of all input forms (storage JSON, HTTP batch, S3 direct, SNS- and EventBridge-wrapped
 * notifications of Avro files) with 429/5xx/401 from Mixpanel, partial 400s and poison messages; the Currents HTTP
 * ingest with right and wrong tokens; cohort postbacks (Mixpanel webhook by distinct id and by email, Braze partner
 * shape) with wrong and revoked keys; the refresh with per-object rejections, 429s, a 401 after a key rotation and
 * a timeout; key management (create, list, revoke).
 */
class PersonalDataInLogsTest {

    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    private static final String PHONE = "+14155550123";
    private static final String MIXPANEL_SA_SECRET = "mp-sa-secret-Zq81";
    private static final String MIXPANEL_API_SECRET = "mp-api-secret-Lk27";
    private static final String MIXPANEL_PROJECT_TOKEN = "mp-project-token-Rr31";
    private static final String BRAZE_KEY = "braze-rest-key-Vx55";
    private static final String CURRENTS_TOKEN = "currents-bearer-token-Hh09";

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Set<String> secrets = new LinkedHashSet<>(List.of(PHONE, MIXPANEL_SA_SECRET, MIXPANEL_API_SECRET, MIXPANEL_PROJECT_TOKEN, "Pii-First-Name",
            BRAZE_KEY, CURRENTS_TOKEN, "user-pii-", "distinct-pii-", "user-av-", "braze-e", "braze-h", "braze-av-"));

    @Test
    void noPersonalDataKeyOrSecretInAnyOutput() throws Exception {
        var oldLog = Log.setSink(lines::add);
        var oldMetrics = Metrics.setSink(lines::add);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            exportScenarios();
            ingestScenarios();
            cohortScenarios();
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            Log.setSink(oldLog);
            Metrics.setSink(oldMetrics);
        }
        List<String> all = new ArrayList<>(lines);
        all.addAll(List.of(captured.toString(StandardCharsets.UTF_8).split("\n")));
        assertTrue(lines.size() > 50, "the scenarios logged (" + lines.size() + " lines)");
        for (String line : all) {
            assertFalse(EMAIL.matcher(line).find(), "an email address in: " + line);
            for (String s : secrets) {
                assertFalse(line.contains(s), "'" + s + "' in: " + line);
            }
            assertFalse(line.contains("cbk_"), "a data import key in: " + line);
        }
        System.out.println("[figures] privacy output lines checked=" + all.size() + " secrets and ids checked="
                + secrets.size());
    }

    // ---- export ----------------------------------------------------------------------------------------------

    private void exportScenarios() throws Exception {
        ElasticMq sqs = ElasticMq.shared();
        String exportQueue = sqs.createQueue("pii-export");
        String rejectsQueue = sqs.createQueue("pii-rejects");
        try (MixpanelFake mixpanel = MixpanelFake.start()) {
            mixpanel.acceptServiceAccount("sa", MIXPANEL_SA_SECRET, "77");
            mixpanel.engage().acceptToken(MIXPANEL_PROJECT_TOKEN);
            MapSecretSource secretStore = new MapSecretSource(Map.of("mp", Json.MAPPER.createObjectNode()
                    .put("service_account_user", "sa").put("service_account_secret", MIXPANEL_SA_SECRET)
                    .put("project_id", "77").put("project_token", MIXPANEL_PROJECT_TOKEN).toString()));
            FaultyObjectSource s3 = new FaultyObjectSource(FaultSchedule.healthy(FaultyObjectSource.Fault.class,
                    FaultyObjectSource.Fault.NONE));
            ExportHandler handler = new ExportHandler(new ExportPorts(
                    new MixpanelHttpImport(SharedHttpClient.get(), URI.create(mixpanel.baseUrl()),
                            new CachingSecretSource(secretStore), "mp"),
                    new SqsRejectSink(sqs.client(), rejectsQueue), s3).withEngage(
                    new MixpanelHttpEngage(SharedHttpClient.get(), URI.create(mixpanel.baseUrl()),
                            new CachingSecretSource(secretStore), "mp")),
                    Env.of(Map.of("EXPORT_EVENT_TYPES", "default,users.profile.Update")), d -> { },
                    new SplittableRandom(3));
            String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "pii");
            s3.put("b", key, piiAvro());
            List<String> bodies = new ArrayList<>(List.of(
                    piiStorage("e1"), piiHttpBatch(), CurrentsFixtures.s3Notification("b", key),
                    CurrentsFixtures.snsWrapped(CurrentsFixtures.s3Notification("b", key)),
                    CurrentsFixtures.eventBridgeObjectCreated("b", key),
                    CurrentsFixtures.s3Notification("b", "missing/user-pii-9@example.com.avro"),
                    "{\"email\":\"poison-user-pii-1@example.com\",\"phone\":\"" + PHONE + "\"",
                    piiStorage("e2").replace("1700000000", "5"),
                    piiProfile("p1", "{\"note\":\"user-pii-p1@example.com\"}"), piiProfile("p2", "[\"" + PHONE + "\"]"),
                    piiProfile("p3", null), piiProfile("p4", null)));
            for (String body : bodies) {
                sqs.client().sendMessage(b -> b.queueUrl(exportQueue).messageBody(body));
            }
            mixpanel.enqueue(MixpanelFake.Fault.rateLimited(1), MixpanelFake.Fault.status(503),
                    MixpanelFake.Fault.status(401), MixpanelFake.Fault.failIndexes(0));
            mixpanel.engage().enqueue(MixpanelFake.Fault.rateLimited(1), MixpanelFake.Fault.status(503),
                    MixpanelFake.Fault.status(401), MixpanelFake.Fault.failIndexes(0));
            SqsLambdaPoller poller = new SqsLambdaPoller(sqs.client(), exportQueue);
            ManualClock clock = new ManualClock();
            for (int i = 0; i < 20; i++) {
                SQSEvent event = poller.receive(3);
                if (event.getRecords().isEmpty()) {
                    break;
                }
                poller.complete(event, handler.handleRequest(event, clock.contextWith(Duration.ofMinutes(5))));
            }
            assertTrue(mixpanel.importedUnique() > 0, "the export ran");
            assertTrue(mixpanel.engage().updatesApplied() > 0, "profile updates went to /engage");
            secretStore.put("mp", Json.MAPPER.createObjectNode().put("api_secret", MIXPANEL_API_SECRET).toString());
            handler.handleRequest(sqsEvent(piiStorage("e3")), clock.contextWith(Duration.ofMinutes(1))); // 401 path
        }
        sqs.drain(rejectsQueue);
    }

    private static SQSEvent sqsEvent(String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("pii-message");
        m.setBody(body);
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }

    private static String piiStorage(String id) {
        ObjectNode e = CurrentsFixtures.emailOpen(id, "user-pii-" + id);
        e.put("event_type", CurrentsFixtures.EMAIL_OPEN).put("email_address", "user-pii-" + id + "@example.com")
                .put("phone_number", PHONE);
        return e.toString();
    }

    /** A {@code users.profile.Update} full of personal data ({@code customAttributes} null: none). */
    private static String piiProfile(String id, String customAttributes) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("event_type", "users.profile.Update").put("id", id)
                .put("time", CurrentsFixtures.TIME).put("time_ms", CurrentsFixtures.TIME * 1000L)
                .put("user_id", "braze-e" + id).put("external_user_id", "user-pii-" + id)
                .put("update_source", "api").put("first_name", "Pii-First-Name")
                .put("email_address", "user-pii-" + id + "@example.com").put("phone_number", PHONE);
        if (customAttributes != null) {
            e.put("custom_attributes", customAttributes);
        }
        return e.toString();
    }

    private static String piiHttpBatch() {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ObjectNode e = CurrentsFixtures.httpCustomEvent("h" + i, i == 3 ? null : "user-pii-h" + i, CurrentsFixtures.TIME);
            ((ObjectNode) e.get("properties")).putObject("custom_properties").put("email", "user-pii-h" + i + "@example.com")
                    .put("phone", PHONE);
            events.add(e);
        }
        events.add((ObjectNode) Json.MAPPER.createObjectNode().put("event_type", 5).put("email", "user-pii-x@example.com"));
        return CurrentsFixtures.httpBatch(events);
    }

    private static byte[] piiAvro() {
        return CurrentsFixtures.emailOpenAvro("av", 6, 3, CodecFactory.deflateCodec(1));
    }

    // ---- ingest ----------------------------------------------------------------------------------------------

    private void ingestScenarios() {
        ElasticMq sqs = ElasticMq.shared();
        String queue = sqs.createQueue("pii-ingest");
        CurrentsIngestHandler ingest = new CurrentsIngestHandler(new SqsExportQueue(sqs.client(), queue),
                new CachingSecretSource(new MapSecretSource(Map.of("token", CURRENTS_TOKEN))),
                Env.of(Map.of("CURRENTS_TOKEN_SECRET_ID", "token", "EXPORT_QUEUE_URL", queue)));
        String batch = piiHttpBatch();
        for (String auth : List.of("Bearer " + CURRENTS_TOKEN, "Bearer user-pii-wrong-token", "Basic " + CURRENTS_TOKEN)) {
            APIGatewayV2HTTPResponse r = ingest.handleRequest(ApiGatewayEvents.post("/currents", batch,
                    Map.of("authorization", auth, "braze-currents-version", "1")), null);
            assertTrue(r.getStatusCode() < 500);
            assertFalse(r.getBody().contains("user-pii") || r.getBody().contains(CURRENTS_TOKEN));
        }
        ingest.handleRequest(ApiGatewayEvents.post("/currents", "{\"events\":[\"user-pii-z@example.com\"]}",
                Map.of("authorization", "Bearer " + CURRENTS_TOKEN)), null);
        assertTrue(sqs.depth(queue) > 0, "the ingest enqueued");
    }

    // ---- cohorts ---------------------------------------------------------------------------------------------

    private void cohortScenarios() throws Exception {
        ManualClock clock = new ManualClock();
        CohortState store = InMemoryCohortStore.create();
        FaultSchedule<ScheduledBraze.Fault> faults = FaultSchedule.random(new java.util.Random(5), ScheduledBraze.Fault.class,
                ScheduledBraze.Fault.NONE, 0.5, 3);
        try (ScheduledBraze braze = new ScheduledBraze(faults, "Mixpanel_Cohorts",
                Set.of("external_id:distinct-pii-3", "email:user-pii-e2@example.com"), BRAZE_KEY, clock::advance)) {
            URI endpoint = braze.startHttp(Duration.ofMillis(300));
            MapSecretSource brazeSecrets = new MapSecretSource(Map.of("braze", BRAZE_KEY));
            for (String field : List.of("mixpanel_distinct_id", "email")) {
                Env env = Env.of(Map.of("TABLE_NAME", "t", "MEMBER_ID_FIELD", field));
                CohortApiHandler api = new CohortApiHandler(store, env, clock);
                CohortRefreshHandler refresh = new CohortRefreshHandler(store, new BrazeHttpClient(
                        new dev.currentsbridge.standins.http.ShortTimeoutHttpClient(SharedHttpClient.get(), Duration.ofMillis(150)),
                        endpoint, new CachingSecretSource(brazeSecrets), "braze"), env, clock, clock.sleeper());
                KeyAdmin admin = new KeyAdmin(store.keys(), clock);
                String key = admin.create("pii " + field).secret();
                secrets.add(key);
                String revoked = admin.create("old").secret();
                secrets.add(revoked);
                admin.revoke(revoked.substring(4, 14));
                Map<String, String> basic = Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key));
                String cohort = "c-" + field;
                assertEquals(200, api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook",
                        webhook("members", cohort, "s1", 1, 5), basic), null).getStatusCode());
                api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", webhook("remove_members", cohort, null, 2, 2), basic), null);
                api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", webhook("add_members", cohort, null, 1, 1),
                        Map.of("authorization", ApiGatewayEvents.basic("mixpanel", revoked))), null);
                api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", webhook("add_members", cohort, null, 1, 1),
                        Map.of("authorization", ApiGatewayEvents.basic("user-pii-1@example.com", key + "x"))), null);
                api.handleRequest(ApiGatewayEvents.post("/partners/mixpanel/cohorts/users",
                        "{\"client_secret\":\"" + key + "\",\"cohort_id\":\"p1\",\"cohort_changes\":[{\"user_ids\":"
                                + "[\"user-pii-p1\",\"user-pii-p2\"],\"aliases\":[{\"alias_name\":\"user-pii-an1\","
                                + "\"alias_label\":\"user-pii-al\"}]},{\"user_ids\":[\"user-pii-p3\"],\"aliases\":"
                                + "[{\"alias_name\":\"user-pii-an2\",\"alias_label\":\"user-pii-al\"}],\"should_remove\":true}]}",
                        Map.of()), null);
                api.handleRequest(ApiGatewayEvents.post("/partners/mixpanel/cohorts/users",
                        "{\"client_secret\":\"" + revoked + "\",\"cohort_id\":\"p1\",\"cohort_changes\":[{\"user_ids\":[7]}]}",
                        Map.of()), null);
                api.handleRequest(ApiGatewayEvents.post("/partners/mixpanel/cohorts",
                        "{\"client_secret\":\"" + key + "\",\"cohort_id\":\"p1\",\"name\":\"VIP\",\"created_at\":\"2026-11-28T10:00:00Z\"}",
                        Map.of()), null);
                for (int run = 0; run < 4; run++) {
                    clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
                    brazeSecrets.put("braze", braze.validKey()); // the operator follows key rotations
                    refresh.handleRequest(new ScheduledEvent(), clock.contextWith(Duration.ofMinutes(2)));
                    clock.advance(Duration.ofMinutes(15));
                }
                Map<String, String> bearer = Map.of("Authorization", "Bearer " + key);
                api.handleRequest(ApiGatewayEvents.event("GET", "/cohorts", null, false, bearer, Map.of()), null);
                api.handleRequest(ApiGatewayEvents.event("GET", "/cohorts/" + cohort + "/members", null, false, bearer,
                        Map.of("limit", "10")), null);
                api.handleRequest(ApiGatewayEvents.event("GET", "/cohorts/p1/members", null, false, bearer, Map.of()), null);
                APIGatewayV2HTTPResponse created = api.handleRequest(ApiGatewayEvents.event("POST", "/keys",
                        "{\"label\":\"rotation\"}", false, bearer, Map.of()), null);
                String newKey = Json.MAPPER.readTree(created.getBody()).path("key").asText();
                secrets.add(newKey);
                api.handleRequest(ApiGatewayEvents.event("GET", "/keys", null, false, bearer, Map.of()), null);
                api.handleRequest(ApiGatewayEvents.event("DELETE", "/keys/" + newKey.substring(4, 14), null, false,
                        bearer, Map.of()), null);
                api.handleRequest(ApiGatewayEvents.event("GET", "/keys", null, false,
                        Map.of("Authorization", "Bearer " + newKey), Map.of()), null);
            }
            assertFalse(braze.state().isEmpty(), "the refresh reached Braze");
        }
    }

    private static String webhook(String action, String cohortId, String session, int from, int to) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("action", action);
        ObjectNode p = root.putObject("parameters");
        p.put("mixpanel_project_id", "1").put("mixpanel_cohort_id", cohortId).put("mixpanel_cohort_name", "Cohort " + cohortId);
        if (session != null) {
            p.put("mixpanel_session_id", session);
            p.putObject("page_info").put("total_pages", 1).put("page_count", 1);
        }
        ArrayNode members = p.putArray("members");
        for (int i = from; i <= to; i++) {
            members.addObject().put("mixpanel_distinct_id", "distinct-pii-" + i).put("email", "user-pii-e" + i + "@example.com")
                    .put("phone", PHONE).put("first_name", "Jane");
        }
        return root.toString();
    }
}
