package dev.currentsbridge.standins.mixpanel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The per-project quota over real HTTP, on a virtual clock; the delegate must see each admitted body intact. */
class ProjectQuotaTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicLong delegateEvents = new AtomicLong();
    private final List<String> delegateIds = new ArrayList<>();

    private ProjectQuota quota(double eps, double burstSeconds) {
        return new ProjectQuota(eps, burstSeconds, () -> clock.peek().toEpochMilli() * 1_000_000L, this::importer);
    }

    /** The sink behind the quota: reads each admitted body whole and keeps its insert ids. */
    private void importer(com.sun.net.httpserver.HttpExchange ex) throws IOException {
        ImportBodyScanner scanner = new ImportBodyScanner(id -> {
            synchronized (delegateIds) {
                delegateIds.add(id);
            }
        });
        byte[] body = new java.util.zip.GZIPInputStream(ex.getRequestBody()).readAllBytes();
        scanner.scan(body, body.length);
        delegateEvents.addAndGet(scanner.events());
        LoopbackHttpServer.respond(ex, 200, "application/json", "{\"code\":200,\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(URI base, String project, int events, int firstId) throws Exception {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            json.append(i == 0 ? "" : ",").append("{\"event\":\"e\",\"properties\":{\"time\":1,\"distinct_id\":\"u\",")
                    .append("\"$insert_id\":\"id-").append(firstId + i).append("\",\"note\":\"{not an event}\"}}");
        }
        HttpRequest r = HttpRequest.newBuilder(base.resolve("/import?strict=1&project_id=" + project))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("sa:secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(json.append("]").toString()))).build();
        return SharedHttpClient.get().send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void aBatchThatDoesNotFitIsRefusedWithMixpanelsBodyUntilTheBucketRefills() throws Exception {
        ProjectQuota quota = quota(1000, 2);
        try (LoopbackHttpServer server = new LoopbackHttpServer(quota)) {
            assertEquals(200, post(server.uri(), "1", 1500, 0).statusCode());
            HttpResponse<String> refused = post(server.uri(), "1", 1000, 1500);
            assertEquals(429, refused.statusCode());
            assertEquals(ProjectQuota.BODY_429, refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isEmpty(), "none is documented for /import");
            assertEquals(200, post(server.uri(), "2", 2000, 5000).statusCode(), "another project has its own bucket");

            clock.advance(Duration.ofMillis(499)); // 500 + 499 tokens: still short of 1000
            assertEquals(429, post(server.uri(), "1", 1000, 1500).statusCode());
            clock.advance(Duration.ofMillis(1));
            assertEquals(200, post(server.uri(), "1", 1000, 1500).statusCode());

            assertEquals(new ProjectQuota.Counts(3, 4500, 2, 2000), quota.counts());
            assertEquals(4500, delegateEvents.get(), "the delegate read every admitted body whole");
            assertEquals(4500, delegateIds.size());
            assertTrue(delegateIds.contains("id-0") && delegateIds.contains("id-2499") && delegateIds.contains("id-6999"));
            assertFalse(delegateIds.contains("id-7000"));
        }
    }

    @Test
    void theBucketHoldsAtLeastOneFullBatchAndNeverMoreThanItsBurst() {
        ProjectQuota quota = quota(100, 1);
        assertEquals(ProjectQuota.MAX_BATCH_EVENTS, quota.burstEvents(), 0.0, "100/s x 1 s would refuse 2000 forever");
        TokenBucket bucket = new TokenBucket(1000, 3000, () -> clock.peek().toEpochMilli() * 1_000_000L);
        assertTrue(bucket.tryTake(3000));
        assertFalse(bucket.tryTake(1));
        clock.advance(Duration.ofHours(1));
        assertEquals(3000, bucket.available(), 1e-9, "an idle hour saves up no more than the burst");
    }

    @Test
    void theRollingMinuteStartsEmptyAndKeepsUnusedQuotaForAMinute() throws Exception {
        ProjectQuota quota = ProjectQuota.rollingMinute(1000, () -> clock.peek().toEpochMilli() * 1_000_000L,
                this::importer);
        assertEquals(60_000, quota.burstEvents(), 0.0, "one minute of quota");
        try (LoopbackHttpServer server = new LoopbackHttpServer(quota)) {
            assertEquals(429, post(server.uri(), "1", 1000, 0).statusCode(), "no initial burst");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(200, post(server.uri(), "1", 1000, 0).statusCode());
            clock.advance(Duration.ofSeconds(7)); // a backoff of 7 s: its quota is kept, not lost
            for (int i = 0; i < 3; i++) {
                assertEquals(200, post(server.uri(), "1", 2000, 1000 + 2000 * i).statusCode());
            }
            assertEquals(429, post(server.uri(), "1", 2000, 7000).statusCode(), "7,000 saved, 6,000 taken");
            clock.advance(Duration.ofHours(2));
            for (int i = 0; i < 30; i++) {
                assertEquals(200, post(server.uri(), "1", 2000, 10_000 + 2000 * i).statusCode());
            }
            assertEquals(429, post(server.uri(), "1", 1, 70_000).statusCode(), "an idle hour saves one minute only");
            assertEquals(new ProjectQuota.Counts(34, 67_000, 3, 3001), quota.counts());
        }
    }

    @Test
    void otherRoutesPassThroughUncounted() throws Exception {
        ProjectQuota quota = new ProjectQuota(1, 1, () -> 0L, ex -> LoopbackHttpServer.respond(ex, 204, "text/plain", new byte[0]));
        try (LoopbackHttpServer server = new LoopbackHttpServer(quota)) {
            HttpResponse<String> r = SharedHttpClient.get().send(HttpRequest.newBuilder(server.uri().resolve("/engage"))
                    .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode());
            assertEquals(new ProjectQuota.Counts(0, 0, 0, 0), quota.counts());
        }
    }
}
