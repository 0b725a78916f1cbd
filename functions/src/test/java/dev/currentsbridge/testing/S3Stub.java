package dev.currentsbridge.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * S3 GetObject on loopback, path style ({@code GET /<bucket>/<key>}): the real S3 client built with
 * {@code forcePathStyle(true)} reads from it. Objects come from bytes or from a stream supplier (large files
 * are generated on the fly, never held in memory). Missing objects answer 404 {@code NoSuchKey}.
 */
public final class S3Stub implements AutoCloseable {

    private final Map<String, Supplier<InputStream>> objects = new ConcurrentHashMap<>();
    private final Map<String, Long> declaredLengths = new ConcurrentHashMap<>();
    private final List<String> requestedKeys = new ArrayList<>();
    private final Deque<Integer> faults = new ArrayDeque<>();
    private final LoopbackHttpServer server;

    private S3Stub() {
        server = new LoopbackHttpServer(this::handle);
    }

    public static S3Stub start() {
        return new S3Stub();
    }

    public URI endpoint() {
        return server.uri();
    }

    public S3Stub put(String bucket, String key, byte[] bytes) {
        objects.put(bucket + "/" + key, () -> new java.io.ByteArrayInputStream(bytes));
        return this;
    }

    /** An object whose content is produced on each GET (streamed with chunked encoding). */
    public S3Stub putStream(String bucket, String key, Supplier<InputStream> content) {
        objects.put(bucket + "/" + key, content);
        return this;
    }

    /**
     * An object whose download stalls: the response declares all of {@code bytes} but only {@code cutAfter}
     * of them ever arrive (a connection that hangs in the middle of a large file).
     */
    public S3Stub putStalledDownload(String bucket, String key, byte[] bytes, int cutAfter) {
        objects.put(bucket + "/" + key, () -> new java.io.ByteArrayInputStream(bytes, 0, cutAfter));
        declaredLengths.put(bucket + "/" + key, (long) bytes.length);
        return this;
    }

    /** The next GETs answer these statuses (e.g. 500, 503, 403) instead of the object. */
    public synchronized void failNext(int... statuses) {
        for (int s : statuses) {
            faults.add(s);
        }
    }

    /** "bucket/key" of every GET, in order. */
    public synchronized List<String> requestedKeys() {
        return List.copyOf(requestedKeys);
    }

    private void handle(HttpExchange ex) throws IOException {
        // getPath() is percent-decoded: the SDK encodes '=' and '+' in keys.
        String path = ex.getRequestURI().getPath();
        String bucketAndKey = path.startsWith("/") ? path.substring(1) : path;
        Integer fault;
        synchronized (this) {
            requestedKeys.add(bucketAndKey);
            fault = faults.poll();
        }
        if (fault != null) {
            error(ex, fault, fault == 403 ? "AccessDenied" : "InternalError", "injected failure");
            return;
        }
        if (!"GET".equals(ex.getRequestMethod())) {
            error(ex, 405, "MethodNotAllowed", "only GET is stubbed");
            return;
        }
        Supplier<InputStream> content = objects.get(bucketAndKey);
        if (content == null) {
            error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("ETag", "\"0123456789abcdef0123456789abcdef\"");
        ex.getResponseHeaders().set("Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT");
        // Declared length (stalled downloads) or chunked (everything else).
        ex.sendResponseHeaders(200, declaredLengths.getOrDefault(bucketAndKey, 0L));
        try (InputStream in = content.get(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>stub</RequestId></Error>";
        LoopbackHttpServer.respond(ex, status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
