package dev.currentsbridge.standins.aws;

import dev.currentsbridge.standins.http.LoopbackHttpServer;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * S3 on loopback, path style, for the real S3 client built with {@code forcePathStyle(true)} and for
 * {@code common.aws.S3ObjectReader}:
 * <ul>
 *   <li>GetObject, {@code GET /<bucket>/<key>}: objects come from bytes or from a stream supplier (large files are
 *       generated on the fly, never held in memory). A missing key answers 404 {@code NoSuchKey}.</li>
 *   <li>ListObjectsV2, {@code GET /<bucket>?list-type=2&prefix=&continuation-token=&start-after=&max-keys=&encoding-type=url}:
 *       S3's {@code ListBucketResult} XML, keys in ascending order, pages of at most {@code max-keys} (1000 by
 *       default and at most) or {@link #pageSize}, opaque continuation tokens, and with {@code encoding-type=url}
 *       (boto3 and the AWS CLI always ask for it; the Java SDK when told) {@code Key}, {@code Prefix} and
 *       {@code StartAfter} URL-encoded as S3 does.
 *       {@code delimiter} and ListObjects v1 answer 501 {@code NotImplemented}, so a test relying on them fails
 *       instead of getting a wrong listing.</li>
 *   <li>An unknown bucket answers 404 {@code NoSuchBucket}. Buckets exist once an object is put in them or
 *       {@link #createBucket} is called.</li>
 *   <li>Every request must be SigV4-signed by a known key ({@link TestAws#CREDENTIALS} unless {@link #acceptKey}
 *       adds others), else 403 {@code AccessDenied} (unsigned), {@code InvalidAccessKeyId} or
 *       {@code SignatureDoesNotMatch}, as S3 answers.</li>
 * </ul>
 */
public final class S3Stub implements AutoCloseable {

    private static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final int MAX_KEYS = 1000;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Bucket name to its objects, keys sorted (S3 sorts by UTF-8 bytes; the same order for the keys tests use). */
    private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
    private final Set<String> vanishAfterListed = ConcurrentHashMap.newKeySet();
    private final List<String> requestedKeys = new ArrayList<>();
    private final Deque<Integer> faults = new ArrayDeque<>();
    private final Map<String, String> knownKeys = new ConcurrentHashMap<>(Map.of("test", "test"));
    private final SigV4Verifier signatures = new SigV4Verifier("s3", knownKeys);
    private final AtomicInteger rejectedSignatures = new AtomicInteger();
    private final AtomicInteger listRequests = new AtomicInteger();
    private volatile int pageSize = MAX_KEYS;
    private final LoopbackHttpServer server;

    /** One object: its content (re-readable), when it was put, and its size and ETag (MD5) once known. */
    private static final class StoredObject {
        final Supplier<InputStream> content;
        final Instant lastModified = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final Long declaredLength;
        private volatile long size = -1;
        private volatile String etag;

        StoredObject(Supplier<InputStream> content, Long declaredLength) {
            this.content = content;
            this.declaredLength = declaredLength;
        }

        /** Reads a streamed object once to learn its size and ETag (only when a listing needs them). */
        synchronized void measure() {
            if (etag != null) {
                return;
            }
            try (DigestInputStream in = new DigestInputStream(content.get(), MessageDigest.getInstance("MD5"))) {
                size = in.transferTo(OutputStream.nullOutputStream());
                etag = "\"" + HexFormat.of().formatHex(in.getMessageDigest().digest()) + "\"";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        long size() {
            measure();
            return declaredLength != null ? declaredLength : size;
        }

        String etag() {
            measure();
            return etag;
        }
    }

    private S3Stub() {
        server = new LoopbackHttpServer(this::handle);
    }

    public static S3Stub start() {
        return new S3Stub();
    }

    public URI endpoint() {
        return server.uri();
    }

    /** An empty bucket (putting an object creates its bucket too). */
    public S3Stub createBucket(String bucket) {
        buckets.computeIfAbsent(bucket, b -> new ConcurrentSkipListMap<>());
        return this;
    }

    public S3Stub put(String bucket, String key, byte[] bytes) {
        StoredObject object = new StoredObject(() -> new ByteArrayInputStream(bytes), null);
        object.measure();
        return store(bucket, key, object);
    }

    /** An object whose content is produced on each GET (streamed with chunked encoding). */
    public S3Stub putStream(String bucket, String key, Supplier<InputStream> content) {
        return store(bucket, key, new StoredObject(content, null));
    }

    /**
     * An object whose download stalls: the response declares all of {@code bytes} but only {@code cutAfter}
     * of them ever arrive (a connection that hangs in the middle of a large file).
     */
    public S3Stub putStalledDownload(String bucket, String key, byte[] bytes, int cutAfter) {
        return store(bucket, key, new StoredObject(() -> new ByteArrayInputStream(bytes, 0, cutAfter), (long) bytes.length));
    }

    private S3Stub store(String bucket, String key, StoredObject object) {
        createBucket(bucket);
        buckets.get(bucket).put(key, object);
        return this;
    }

    /** Deletes an object (a GET then answers {@code NoSuchKey}). */
    public S3Stub remove(String bucket, String key) {
        NavigableMap<String, StoredObject> objects = buckets.get(bucket);
        if (objects != null) {
            objects.remove(key);
        }
        return this;
    }

    /** The object is deleted as soon as a listing page naming it has been answered: it vanishes between list and GET. */
    public S3Stub vanishAfterListed(String bucket, String key) {
        vanishAfterListed.add(bucket + "/" + key);
        return this;
    }

    /** At most this many keys per ListObjectsV2 page, whatever {@code max-keys} asks (forces pagination). */
    public S3Stub pageSize(int keys) {
        if (keys < 1 || keys > MAX_KEYS) {
            throw new IllegalArgumentException("page size 1.." + MAX_KEYS + ": " + keys);
        }
        this.pageSize = keys;
        return this;
    }

    /** Accepts requests signed with this access key id and secret key (besides the test credentials). */
    public S3Stub acceptKey(String accessKeyId, String secretKey) {
        knownKeys.put(accessKeyId, secretKey);
        return this;
    }

    /** Requests refused for their signature (missing, unknown key, mismatch). */
    public int rejectedSignatures() {
        return rejectedSignatures.get();
    }

    /** ListObjectsV2 requests answered with a page (one per page). */
    public int listRequests() {
        return listRequests.get();
    }

    /** The next requests (GET or list) answer these statuses (e.g. 500, 503, 403) instead of the object. */
    public synchronized void failNext(int... statuses) {
        for (int s : statuses) {
            faults.add(s);
        }
    }

    /** "bucket/key" of every GetObject, in order. */
    public synchronized List<String> requestedKeys() {
        return List.copyOf(requestedKeys);
    }

    private void handle(HttpExchange ex) throws IOException {
        // getPath() is percent-decoded: the SDK encodes '=' and '+' in keys.
        String path = ex.getRequestURI().getPath();
        String bucketAndKey = path.startsWith("/") ? path.substring(1) : path;
        int slash = bucketAndKey.indexOf('/');
        String bucket = slash < 0 ? bucketAndKey : bucketAndKey.substring(0, slash);
        String key = slash < 0 ? "" : bucketAndKey.substring(slash + 1);
        boolean objectRequest = !key.isEmpty();
        SigV4Verifier.Outcome signature = signatures.check(ex, null);
        if (signature != SigV4Verifier.Outcome.VALID) {
            rejectedSignatures.incrementAndGet();
            switch (signature) {
                case MISSING -> S3Xml.error(ex, 403, "AccessDenied", "Access Denied", null);
                case UNKNOWN_KEY -> S3Xml.error(ex, 403, "InvalidAccessKeyId",
                        "The AWS Access Key Id you provided does not exist in our records.", null);
                default -> S3Xml.error(ex, 403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you provided. Check your key and signing method.", null);
            }
            return;
        }
        Integer fault;
        synchronized (this) {
            if (objectRequest) {
                requestedKeys.add(bucketAndKey);
            }
            fault = faults.poll();
        }
        if (fault != null) {
            S3Xml.error(ex, fault, fault == 403 ? "AccessDenied" : "InternalError", "injected failure", null);
            return;
        }
        if (!"GET".equals(ex.getRequestMethod())) {
            S3Xml.error(ex, 405, "MethodNotAllowed", "only GetObject and ListObjectsV2 are stubbed", null);
            return;
        }
        if (bucket.isEmpty()) {
            S3Xml.error(ex, 501, "NotImplemented", "ListBuckets is not stubbed", null);
            return;
        }
        NavigableMap<String, StoredObject> objects = buckets.get(bucket);
        if (objects == null) {
            S3Xml.error(ex, 404, "NoSuchBucket", "The specified bucket does not exist", "<BucketName>" + S3Xml.xml(bucket) + "</BucketName>");
        } else if (objectRequest) {
            getObject(ex, objects.get(key), key);
        } else {
            listObjectsV2(ex, bucket, objects, S3Xml.query(ex.getRequestURI().getRawQuery()));
        }
    }

    private static void getObject(HttpExchange ex, StoredObject object, String key) throws IOException {
        if (object == null) {
            S3Xml.error(ex, 404, "NoSuchKey", "The specified key does not exist.", "<Key>" + S3Xml.xml(key) + "</Key>");
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("ETag", object.etag != null ? object.etag : "\"0123456789abcdef0123456789abcdef\"");
        ex.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(object.lastModified));
        // Declared length (stalled downloads) or chunked (everything else).
        ex.sendResponseHeaders(200, object.declaredLength != null ? object.declaredLength : 0L);
        try (InputStream in = object.content.get(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void listObjectsV2(HttpExchange ex, String bucket, NavigableMap<String, StoredObject> objects,
                               Map<String, String> q) throws IOException {
        if (!"2".equals(q.get("list-type"))) {
            S3Xml.error(ex, 501, "NotImplemented", "only ListObjectsV2 (list-type=2) is stubbed", null);
            return;
        }
        if (q.containsKey("delimiter")) {
            S3Xml.error(ex, 501, "NotImplemented", "ListObjectsV2 delimiter (CommonPrefixes) is not stubbed", null);
            return;
        }
        String encoding = q.get("encoding-type");
        if (encoding != null && !encoding.equals("url")) {
            S3Xml.error(ex, 400, "InvalidArgument", "Invalid Encoding Method specified in Request", null);
            return;
        }
        int maxKeys;
        try {
            maxKeys = Integer.parseInt(q.getOrDefault("max-keys", String.valueOf(MAX_KEYS)));
        } catch (NumberFormatException e) {
            maxKeys = -1;
        }
        if (maxKeys < 0) {
            S3Xml.error(ex, 400, "InvalidArgument", "Provided max-keys not an integer or within integer range", null);
            return;
        }
        String prefix = q.getOrDefault("prefix", "");
        String token = q.get("continuation-token");
        String startAfter = q.get("start-after");
        String after = startAfter;
        if (token != null) {
            after = S3Xml.decodeToken(token);
            if (after == null) {
                S3Xml.error(ex, 400, "InvalidArgument", "The continuation token provided is incorrect", null);
                return;
            }
        }
        NavigableMap<String, StoredObject> from = after == null || after.compareTo(prefix) < 0
                ? objects.tailMap(prefix, true) : objects.tailMap(after, false);
        int limit = Math.min(Math.min(maxKeys, MAX_KEYS), pageSize);
        List<Map.Entry<String, StoredObject>> page = new ArrayList<>();
        boolean truncated = false;
        for (Map.Entry<String, StoredObject> e : from.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break; // sorted: past every key with this prefix
            }
            if (page.size() == limit) {
                truncated = limit > 0;
                break;
            }
            page.add(e);
        }
        boolean url = encoding != null;
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"")
                .append(NAMESPACE).append("\">");
        S3Xml.element(x, "Name", bucket);
        S3Xml.element(x, "Prefix", url ? S3Xml.urlEncode(prefix) : prefix);
        if (token != null) {
            S3Xml.element(x, "ContinuationToken", token);
        }
        if (truncated) {
            S3Xml.element(x, "NextContinuationToken", S3Xml.encodeToken(page.getLast().getKey()));
        }
        S3Xml.element(x, "KeyCount", String.valueOf(page.size()));
        S3Xml.element(x, "MaxKeys", String.valueOf(maxKeys));
        if (url) {
            S3Xml.element(x, "EncodingType", "url");
        }
        S3Xml.element(x, "IsTruncated", String.valueOf(truncated));
        if (startAfter != null) {
            S3Xml.element(x, "StartAfter", url ? S3Xml.urlEncode(startAfter) : startAfter);
        }
        for (Map.Entry<String, StoredObject> e : page) {
            StoredObject o = e.getValue();
            x.append("<Contents>");
            S3Xml.element(x, "Key", url ? S3Xml.urlEncode(e.getKey()) : e.getKey());
            S3Xml.element(x, "LastModified", ISO_MILLIS.format(o.lastModified));
            S3Xml.element(x, "ETag", o.etag());
            S3Xml.element(x, "Size", String.valueOf(o.size()));
            S3Xml.element(x, "StorageClass", "STANDARD");
            x.append("</Contents>");
        }
        x.append("</ListBucketResult>");
        listRequests.incrementAndGet();
        LoopbackHttpServer.respond(ex, 200, "application/xml", x.toString().getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, StoredObject> e : page) {
            if (vanishAfterListed.remove(bucket + "/" + e.getKey())) {
                objects.remove(e.getKey());
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
