package dev.currentsbridge.bench.harness;

import dev.currentsbridge.standins.fixtures.CountingInputStream;
import dev.currentsbridge.standins.mixpanel.ImportBodyScanner;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * The loopback stand-ins the whole-process harnesses talk to, on one JDK {@link HttpServer}:
 * <ul>
 *   <li>{@code POST /import}: a Mixpanel sink. Gunzips, counts the events of the JSON array (or NDJSON) with a
 *       byte scanner ({@code standins.mixpanel.ImportBodyScanner}; no tree: the sink must cost the same and little
 *       for the exporter and the peer), refuses more than 2000 events with Mixpanel's 400, answers
 *       {@code {"code":200,"num_records_imported":N,...}}, and hands imported {@code $insert_id}s to
 *       {@link #recordInsertIds} if set;</li>
 *   <li>{@code POST /} with {@code X-Amz-Target: secretsmanager.GetSecretValue}: the Mixpanel credentials secret;</li>
 *   <li>{@code GET /<bucket>/<key>}: S3 objects put with {@link #putObject} (path style);</li>
 *   <li>{@code GET /stats}, {@code POST /reset}: counters for a harness in another process.</li>
 * </ul>
 * {@link #start(UnaryOperator)} puts a handler in front of every route (the backlog harness's Mixpanel quota).
 * {@code main} runs it alone and prints {@code PORT n}; it exits when its stdin closes (its parent ended).
 */
public final class LoopbackSink implements AutoCloseable {

    public static final int MAX_EVENTS = 2000;
    public static final String SECRET_JSON = "{\"api_secret\":\"bench-secret\"}";

    private final HttpServer server;
    private final ExecutorService executor;
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

    private volatile Consumer<String> insertIds;

    private LoopbackSink(int threads, UnaryOperator<HttpHandler> front) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        executor = Executors.newFixedThreadPool(threads);
        server.setExecutor(executor);
        server.createContext("/", front.apply(this::handle));
        server.start();
    }

    public static LoopbackSink start() {
        return start(UnaryOperator.identity());
    }

    /** With {@code front} in front of every route (e.g. a {@code standins.mixpanel.ProjectQuota}). */
    public static LoopbackSink start(UnaryOperator<HttpHandler> front) {
        try {
            return new LoopbackSink(8, front);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the loopback sink", e);
        }
    }

    /** From now on, every {@code $insert_id} of an imported (200) request goes to {@code ids} (null: stop). */
    public void recordInsertIds(Consumer<String> ids) {
        this.insertIds = ids;
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
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
            if (method.equals("POST") && path.endsWith("/import")) {
                handleImport(ex);
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

    private void handleImport(HttpExchange ex) throws IOException {
        firstRequestNanos.compareAndSet(0, System.nanoTime());
        requests.incrementAndGet();
        boolean gzip = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"));
        CountingInputStream wire = new CountingInputStream(ex.getRequestBody());
        InputStream body = gzip ? new GZIPInputStream(wire, 64 * 1024) : wire;
        if (gzip) {
            gzipRequests.incrementAndGet();
        }
        Consumer<String> ids = insertIds;
        java.util.List<String> seen = ids == null ? null : new java.util.ArrayList<>();
        ImportBodyScanner counter = new ImportBodyScanner(seen == null ? null : seen::add);
        byte[] buffer = new byte[64 * 1024];
        long json = 0;
        for (int n; (n = body.read(buffer)) > 0; ) {
            counter.scan(buffer, n);
            json += n;
        }
        wireBytes.addAndGet(wire.count());
        jsonBytes.addAndGet(json);
        long n = counter.events();
        maxBatch.accumulateAndGet(n, Math::max);
        if (n > MAX_EVENTS) {
            refused.incrementAndGet();
            reply(ex, 400, "{\"code\":400,\"error\":\"max 2000 events per request\",\"status\":\"Bad Request\"}",
                    "application/json");
        } else {
            events.addAndGet(n);
            if (seen != null) {
                seen.forEach(ids);
            }
            reply(ex, 200, "{\"code\":200,\"num_records_imported\":" + n + ",\"status\":\"OK\"}", "application/json");
        }
        lastResponseNanos.accumulateAndGet(System.nanoTime(), Math::max);
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
        server.stop(0);
        executor.shutdownNow();
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
