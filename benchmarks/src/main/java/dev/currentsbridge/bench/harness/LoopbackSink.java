package dev.currentsbridge.bench.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The loopback stand-ins the whole-process harnesses talk to, on one {@link LoopbackHttpServer}:
 * <ul>
 *   <li>{@code POST /import}: the Mixpanel emulator ({@link MixpanelFake}) in its count-only mode: Mixpanel's
 *       request-level checks (credentials, 10 MB uncompressed, 2000 events counted by a byte scan, its 400/413
 *       bodies), no per-event rules and nothing kept, so the sink costs the same and little for the exporter and
 *       the peer and the benchmark measures the exporter, not the emulator;</li>
 *   <li>{@code POST /} with {@code X-Amz-Target: secretsmanager.GetSecretValue}: the Mixpanel credentials secret;</li>
 *   <li>{@code GET /<bucket>/<key>}: S3 objects put with {@link #putObject} (path style);</li>
 *   <li>{@code GET /stats}, {@code POST /reset}: counters for a harness in another process.</li>
 * </ul>
 * {@link #start(UnaryOperator)} puts a handler in front of every route (the backlog harness's Mixpanel quota,
 * {@code standins.mixpanel.ProjectQuota}); {@link #recordInsertIds} hands over the {@code $insert_id}s of every
 * imported request (the backlog harness's account of what arrived).
 * {@code main} runs it alone and prints {@code PORT n}; it exits when its stdin closes (its parent ended).
 */
public final class LoopbackSink implements AutoCloseable {

    private static final String API_SECRET = "bench-secret";
    public static final String SECRET_JSON = "{\"api_secret\":\"" + API_SECRET + "\"}";

    private final MixpanelFake mixpanel = MixpanelFake.detached().acceptUsername(API_SECRET).countOnly()
            .onRequest(this::count);
    private final LoopbackHttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong gzipRequests = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong wireBytes = new AtomicLong();
    private final AtomicLong jsonBytes = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong secretReads = new AtomicLong();
    private final AtomicLong objectReads = new AtomicLong();
    private final AtomicLong maxBatch = new AtomicLong();
    private final AtomicLong firstRequestNanos = new AtomicLong();
    private final AtomicLong lastResponseNanos = new AtomicLong();

    private LoopbackSink(UnaryOperator<HttpHandler> front) {
        server = new LoopbackHttpServer("benchmark sink", 0, front.apply(this::handle));
    }

    public static LoopbackSink start() {
        return start(UnaryOperator.identity());
    }

    /** With {@code front} in front of every route (e.g. a {@code standins.mixpanel.ProjectQuota}). */
    public static LoopbackSink start(UnaryOperator<HttpHandler> front) {
        return new LoopbackSink(front);
    }

    /** From now on, every {@code $insert_id} of an imported (200) request goes to {@code ids} (null: stop). */
    public void recordInsertIds(Consumer<String> ids) {
        mixpanel.onInsertIds(ids);
    }

    public URI baseUrl() {
        return server.uri();
    }

    public void putObject(String bucket, String key, byte[] bytes) {
        objects.put("/" + bucket + "/" + key, bytes);
    }

    public void reset() {
        for (AtomicLong c : new AtomicLong[]{requests, gzipRequests, events, wireBytes, jsonBytes, refused, secretReads,
                objectReads, maxBatch, firstRequestNanos, lastResponseNanos}) {
            c.set(0);
        }
    }

    /** Counters since the last reset; {@code span_ms} runs from the first request's arrival to the last answer. */
    public Stats stats() {
        long first = firstRequestNanos.get();
        long last = lastResponseNanos.get();
        return new Stats(requests.get(), gzipRequests.get(), events.get(), wireBytes.get(), jsonBytes.get(),
                refused.get(), maxBatch.get(), secretReads.get(), objectReads.get(),
                first == 0 || last < first ? 0 : (last - first) / 1e6);
    }

    public record Stats(long requests, long gzipRequests, long events, long wireBytes, long jsonBytes, long refused,
                        long maxBatch, long secretReads, long objectReads, double spanMillis) {

        public String toJson() {
            return "{\"requests\":" + requests + ",\"gzip_requests\":" + gzipRequests + ",\"events\":" + events
                    + ",\"wire_bytes\":" + wireBytes + ",\"json_bytes\":" + jsonBytes + ",\"refused\":" + refused
                    + ",\"max_batch\":" + maxBatch + ",\"secret_reads\":" + secretReads + ",\"object_reads\":"
                    + objectReads + ",\"span_ms\":" + spanMillis + "}";
        }

        public static Stats parse(String json) {
            Map<String, String> v = new java.util.HashMap<>();
            for (String part : json.replaceAll("[{}\"]", "").split(",")) {
                int colon = part.indexOf(':');
                v.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim());
            }
            return new Stats(Long.parseLong(v.get("requests")), Long.parseLong(v.get("gzip_requests")),
                    Long.parseLong(v.get("events")), Long.parseLong(v.get("wire_bytes")),
                    Long.parseLong(v.get("json_bytes")), Long.parseLong(v.get("refused")),
                    Long.parseLong(v.get("max_batch")), Long.parseLong(v.get("secret_reads")),
                    Long.parseLong(v.get("object_reads")), Double.parseDouble(v.get("span_ms")));
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            if (method.equals("POST") && path.equals("/import")) {
                firstRequestNanos.compareAndSet(0, System.nanoTime());
                mixpanel.handler().handle(ex);
                lastResponseNanos.accumulateAndGet(System.nanoTime(), Math::max);
            } else if (method.equals("POST") && "secretsmanager.GetSecretValue".equals(ex.getRequestHeaders().getFirst("X-Amz-Target"))) {
                ex.getRequestBody().readAllBytes();
                secretReads.incrementAndGet();
                reply(ex, 200, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:mixpanel-AbCdEf\","
                        + "\"Name\":\"mixpanel\",\"SecretString\":" + quote(SECRET_JSON) + ",\"VersionId\":\"v1\"}",
                        "application/x-amz-json-1.1");
            } else if (method.equals("GET") && path.equals("/secretsmanager/get")) {
                // the AWS Parameters and Secrets Lambda Extension's route
                secretReads.incrementAndGet();
                reply(ex, 200, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:mixpanel-AbCdEf\","
                        + "\"Name\":\"mixpanel\",\"SecretString\":" + quote(SECRET_JSON) + ",\"VersionId\":\"v1\"}",
                        "application/json");
            } else if (method.equals("GET") && path.equals("/stats")) {
                reply(ex, 200, stats().toJson(), "application/json");
            } else if (method.equals("POST") && path.equals("/reset")) {
                ex.getRequestBody().readAllBytes();
                reset();
                reply(ex, 200, "{}", "application/json");
            } else if (method.equals("GET") && objects.containsKey(path)) {
                objectReads.incrementAndGet();
                byte[] body = objects.get(path);
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("ETag", "\"bench\"");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } else if (method.equals("GET")) {
                reply(ex, 404, "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>",
                        "application/xml");
            } else {
                reply(ex, 404, "{\"error\":\"unknown route\"}", "application/json");
            }
        }
    }

    /** The emulator's account of one {@code /import} request. */
    private void count(MixpanelFake.Request r) {
        requests.incrementAndGet();
        if (r.gzip()) {
            gzipRequests.incrementAndGet();
        }
        wireBytes.addAndGet(r.wireBytes());
        jsonBytes.addAndGet(r.uncompressedBytes());
        maxBatch.accumulateAndGet(r.events(), Math::max);
        if (r.status() == 200) {
            events.addAndGet(r.events());
        } else {
            refused.incrementAndGet();
        }
    }

    private static void reply(HttpExchange ex, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.close();
    }

    /** Runs the sink alone: prints {@code PORT n}, exits when stdin closes. */
    public static void main(String[] args) throws IOException {
        LoopbackSink sink = start();
        System.out.println("PORT " + sink.baseUrl().getPort());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // keep running until the parent closes our stdin
            }
        }
        sink.close();
        System.exit(0);
    }
}
