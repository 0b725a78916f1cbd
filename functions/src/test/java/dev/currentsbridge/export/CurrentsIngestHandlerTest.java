package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.Message;

/** {@code POST /currents} with the real SQS client on ElasticMQ and the real Secrets Manager client on the stub. */
class CurrentsIngestHandlerTest {

    private static final String TOKEN_SECRET = "currents-bridge/currents-token";
    private static final String TOKEN = "s3cr3t-token-value";

    private ExportHarness h;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void setUp() {
        h = new ExportHarness(false);
        h.secrets.put(TOKEN_SECRET, TOKEN);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private CurrentsIngestHandler handler(String queueUrl) {
        Env env = Env.of(Map.of("CURRENTS_TOKEN_SECRET_ID", TOKEN_SECRET, "EXPORT_QUEUE_URL", queueUrl));
        Env aws = h.env(Map.of());
        return new CurrentsIngestHandler(new SqsExportQueue(TestAws.clients(aws).sqs(), queueUrl),
                TestAws.clients(aws).secrets(TOKEN_SECRET), env, clock);
    }

    private static APIGatewayV2HTTPEvent post(String authorization, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/json");
        headers.put("braze-currents-version", "1");
        if (authorization != null) {
            headers.put("authorization", authorization);
        }
        return APIGatewayV2HTTPEvent.builder().withHeaders(headers).withBody(body).withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST")
                                .withPath("/currents").build()).build())
                .build();
    }

    private List<JsonNode> enqueuedEvents() {
        List<JsonNode> events = new ArrayList<>();
        for (Message m : h.sqs.drain(h.exportQueue)) {
            try {
                JsonNode root = Json.MAPPER.readTree(m.body());
                assertTrue(m.body().getBytes(StandardCharsets.UTF_8).length < 256 * 1024);
                root.get("events").forEach(events::add);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }

    @Test
    void aValidBatchIsEnqueuedAndThenExportedToMixpanel() {
        APIGatewayV2HTTPResponse r = handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN,
                CurrentsFixtures.httpBatch("in", 5)), null);

        assertEquals(200, r.getStatusCode());
        assertEquals(1, h.sqs.depth(h.exportQueue));
        ExportHarness.Invocation inv = h.invoke(h.handler(new dev.currentsbridge.standins.time.LambdaTime(
                java.time.Duration.ofMinutes(5))));
        inv.assertAccountedFor(5);
        assertEquals(5, h.mixpanel.imported().size());
    }

    @Test
    void aBatchLargerThanOneQueueMessageIsSplitInOrder() {
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ObjectNode e = CurrentsFixtures.httpCustomEvent("big-" + i, "user-big-" + i, CurrentsFixtures.TIME);
            ((ObjectNode) e.path("properties").path("custom_properties")).put("padding", "x".repeat(6_000));
            events.add(e);
        }

        APIGatewayV2HTTPResponse r = handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN,
                CurrentsFixtures.httpBatch(events)), null);

        assertEquals(200, r.getStatusCode());
        int messages = h.sqs.depth(h.exportQueue);
        assertTrue(messages >= 3, "600 KB must take at least 3 messages, took " + messages);
        List<JsonNode> got = enqueuedEvents();
        assertEquals(100, got.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("big-" + i, got.get(i).path("id").asText());
        }
    }

    @Test
    void aMissingTokenIs401AndAWrongOneIs403AndNothingIsEnqueued() {
        CurrentsIngestHandler handler = handler(h.exportQueue);
        String body = CurrentsFixtures.httpBatch("x", 1);

        APIGatewayV2HTTPResponse missing = handler.handleRequest(post(null, body), null);
        APIGatewayV2HTTPResponse basic = handler.handleRequest(post("Basic " + TOKEN, body), null);
        APIGatewayV2HTTPResponse wrong = handler.handleRequest(post("Bearer not-the-token", body), null);
        APIGatewayV2HTTPResponse wrongEmpty = handler.handleRequest(post("Bearer nope", "{\"events\":[]}"), null);

        assertEquals(401, missing.getStatusCode());
        assertEquals("Bearer", missing.getHeaders().get("WWW-Authenticate"));
        assertEquals(401, basic.getStatusCode());
        assertEquals(403, wrong.getStatusCode());
        assertEquals(403, wrongEmpty.getStatusCode(), "an empty batch is still authenticated");
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void aRotatedTokenIsAcceptedAfterOneReRead() {
        CurrentsIngestHandler handler = handler(h.exportQueue);
        assertEquals(200, handler.handleRequest(post("Bearer " + TOKEN, "{\"events\":[]}"), null).getStatusCode());
        h.secrets.put(TOKEN_SECRET, "{\"token\":\"rotated-token\"}");

        assertEquals(200, handler.handleRequest(post("Bearer rotated-token", "{\"events\":[]}"), null).getStatusCode());
        // during the rotation the previous version (AWSPREVIOUS) is still good: Braze may not be updated yet
        assertEquals(200, handler.handleRequest(post("Bearer " + TOKEN, "{\"events\":[]}"), null).getStatusCode());

        h.secrets.put(TOKEN_SECRET, "{\"token\":\"third-token\"}");
        clock.advance(CurrentsIngest.TOKEN_REREAD);
        assertEquals(200, handler.handleRequest(post("Bearer third-token", "{\"events\":[]}"), null).getStatusCode());
        clock.advance(CurrentsIngest.TOKEN_REREAD);
        assertEquals(403, handler.handleRequest(post("Bearer " + TOKEN, "{\"events\":[]}"), null).getStatusCode(),
                "two rotations ago: neither current nor previous");
    }

    @Test
    void aColdContainerAcceptsThePreviousTokenDuringARotation() {
        h.secrets.put(TOKEN_SECRET, "rotated-token");
        CurrentsIngestHandler cold = handler(h.exportQueue);

        assertEquals(200, cold.handleRequest(post("Bearer " + TOKEN, CurrentsFixtures.httpBatch("old", 2)), null)
                .getStatusCode());
        assertEquals(1, h.secrets.reads(TOKEN_SECRET, "AWSCURRENT"));
        assertEquals(1, h.secrets.reads(TOKEN_SECRET, "AWSPREVIOUS"));
        assertEquals(2, enqueuedEvents().size());
    }

    @Test
    void wrongTokensReReadTheSecretAtMostOnceAMinute() {
        CurrentsIngestHandler handler = handler(h.exportQueue);
        for (int i = 0; i < 50; i++) {
            assertEquals(403, handler.handleRequest(post("Bearer guess-" + i, "{\"events\":[]}"), null).getStatusCode());
            clock.advance(java.time.Duration.ofMillis(500));
        }
        // 25 s of wrong tokens: the first read, one previous-version read, one re-read of both
        assertEquals(2, h.secrets.reads(TOKEN_SECRET, "AWSCURRENT"));
        assertEquals(2, h.secrets.reads(TOKEN_SECRET, "AWSPREVIOUS"));

        clock.advance(CurrentsIngest.TOKEN_REREAD);
        assertEquals(403, handler.handleRequest(post("Bearer guess-x", "{\"events\":[]}"), null).getStatusCode());
        assertEquals(3, h.secrets.reads(TOKEN_SECRET, "AWSCURRENT"), "a minute later: one more re-read");
        assertEquals(200, handler.handleRequest(post("Bearer " + TOKEN, "{\"events\":[]}"), null).getStatusCode());
        assertEquals(3, h.secrets.reads(TOKEN_SECRET, "AWSCURRENT"), "the right token needs no read");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[]", "{\"evts\":[]}", "{\"events\":{}}", "{\"events\":[1,2]}", ""})
    void malformedBodiesAre400(String body) {
        APIGatewayV2HTTPResponse r = handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN, body), null);

        assertEquals(400, r.getStatusCode(), r.getBody());
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "none"})
    void anUnexpectedConnectorVersionIsAcceptedLoggedAndCounted(String version) {
        APIGatewayV2HTTPEvent e = post("Bearer " + TOKEN, CurrentsFixtures.httpBatch("v", 1));
        if (version.equals("none")) {
            e.getHeaders().remove("braze-currents-version");
        } else {
            e.getHeaders().put("braze-currents-version", version);
        }

        // a 400 made Braze split the batch and then drop its events for good
        assertEquals(200, handler(h.exportQueue).handleRequest(e, null).getStatusCode());
        assertEquals(1, enqueuedEvents().size());
        assertTrue(h.logs.stream().anyMatch(l -> l.contains("unexpected Braze-Currents-Version")
                && l.contains("\"version\":\"" + version + "\"")), h.logs.toString());
        assertTrue(h.emf.stream().anyMatch(m -> LogCapture.parseEmf(m).getOrDefault("UnexpectedConnectorVersion", 0.0) == 1.0),
                h.emf.toString());
    }

    @Test
    void theExpectedVersionIsNotCounted() {
        assertEquals(200, handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN, CurrentsFixtures.httpBatch("v", 1)),
                null).getStatusCode());
        assertTrue(h.emf.stream().noneMatch(m -> m.contains("UnexpectedConnectorVersion")), h.emf.toString());
    }

    @Test
    void oversizeBodiesAre413() {
        CurrentsIngestHandler handler = handler(h.exportQueue);
        String huge = "{\"events\":[{\"pad\":\"" + "x".repeat(dev.currentsbridge.common.api.RequestBody.MAX_BYTES) + "\"}]}";

        assertEquals(413, handler.handleRequest(post("Bearer " + TOKEN, huge), null).getStatusCode());
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void anEventTooLargeForAQueueMessageIsRecordedAsARejectAndTheBatchAccepted() throws IOException {
        // Braze cannot split one event: a 413 made it retry, then drop the batch without a trace
        ObjectNode bigEvent = CurrentsFixtures.httpCustomEvent("big-1", "user-big-1", CurrentsFixtures.TIME);
        ((ObjectNode) bigEvent.path("properties").path("custom_properties")).put("padding", "y".repeat(300_000));
        List<ObjectNode> batch = List.of(CurrentsFixtures.httpCustomEvent("ok-1", "user-ok-1", CurrentsFixtures.TIME),
                bigEvent, CurrentsFixtures.httpCustomEvent("ok-2", "user-ok-2", CurrentsFixtures.TIME));

        APIGatewayV2HTTPResponse r = handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN,
                CurrentsFixtures.httpBatch(batch)), null);

        assertEquals(200, r.getStatusCode(), r.getBody());
        assertTrue(h.emf.stream().anyMatch(m -> LogCapture.parseEmf(m).getOrDefault("EventsTooLarge", 0.0) == 1.0),
                h.emf.toString());
        assertTrue(h.logs.stream().anyMatch(l -> l.contains("event too large for a queue message")), h.logs.toString());
        assertTrue(h.logs.stream().noneMatch(l -> l.contains("big-1")), "no event id in logs");

        ExportHarness.Invocation inv = h.invoke(h.handler(new dev.currentsbridge.standins.time.LambdaTime(
                java.time.Duration.ofMinutes(5))));
        inv.assertAccountedFor(3);
        assertEquals(1, inv.metric("EventsRejected"));
        assertEquals(2, h.mixpanel.imported().size());
        List<JsonNode> rejects = h.rejects();
        assertEquals(1, rejects.size());
        JsonNode reject = rejects.getFirst();
        assertEquals("decode:event_too_large", reject.path("reason").asText(), reject.toString());
        JsonNode record = reject.path("original").path("currents_bridge_oversize");
        assertEquals("big-1", record.path("id").asText(), reject.toString());
        assertEquals("users.behaviors.CustomEvent", record.path("event_type").asText());
        assertTrue(record.path("size_bytes").asLong() > 300_000, record.toString());
        assertEquals(new SqsExportQueue(null, h.exportQueue).maxEventBytes(), record.path("limit_bytes").asLong());
    }

    @Test
    void anEmptyBatchIsAnAuthenticatedNoOp() {
        APIGatewayV2HTTPResponse r = handler(h.exportQueue).handleRequest(post("Bearer " + TOKEN, "{\"events\":[]}"), null);

        assertEquals(200, r.getStatusCode());
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void anUnavailableQueueIs503SoBrazeRetries() {
        String gone = h.sqs.createQueue("gone-export");
        h.sqs.deleteQueue(gone);

        APIGatewayV2HTTPResponse r = handler(gone).handleRequest(post("Bearer " + TOKEN, CurrentsFixtures.httpBatch("q", 2)), null);

        assertEquals(503, r.getStatusCode());
    }

    @Test
    void gzipAndBase64BodiesAreAccepted() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(CurrentsFixtures.httpBatch("gz", 3).getBytes(StandardCharsets.UTF_8));
        }
        APIGatewayV2HTTPEvent e = post("Bearer " + TOKEN, Base64.getEncoder().encodeToString(buf.toByteArray()));
        e.setIsBase64Encoded(true);
        e.getHeaders().put("content-encoding", "gzip");

        assertEquals(200, handler(h.exportQueue).handleRequest(e, null).getStatusCode());
        assertEquals(3, enqueuedEvents().size());
    }

    @Test
    void badBase64IsA400AfterTheTokenCheck() throws IOException {
        APIGatewayV2HTTPEvent bad = post("Bearer " + TOKEN, "%%%not base64%%%");
        bad.setIsBase64Encoded(true);
        var r = handler(h.exportQueue).handleRequest(bad, null);
        assertEquals(400, r.getStatusCode(), r.getBody());
        assertEquals("malformed", dev.currentsbridge.common.json.Json.MAPPER.readTree(r.getBody()).path("status").asText());
        APIGatewayV2HTTPEvent anonymous = post(null, "%%%not base64%%%");
        anonymous.setIsBase64Encoded(true);
        assertEquals(401, handler(h.exportQueue).handleRequest(anonymous, null).getStatusCode());
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void primingSendsNothing() {
        CurrentsIngestHandler handler = handler(h.exportQueue);
        handler.beforeCheckpoint(null);
        assertEquals(0, h.secrets.requests());
        assertEquals(0, h.sqs.depth(h.exportQueue));
    }

    @Test
    void tokensAreComparedByDigest() {
        assertTrue(CurrentsIngest.constantTimeEquals("abc", "abc"));
        assertTrue(!CurrentsIngest.constantTimeEquals("abc", "abd"));
        assertTrue(!CurrentsIngest.constantTimeEquals("abc", "abcd"));
    }
}
