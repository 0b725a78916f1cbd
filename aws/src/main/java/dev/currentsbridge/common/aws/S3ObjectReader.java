package dev.currentsbridge.common.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;

/**
 * Streams S3 objects with a SigV4-signed {@code GET}, over the shared JDK HTTP client.
 *
 * <p>Why not the SDK's {@code S3Client}: the export function only ever calls GetObject, and the S3 module
 * adds ~4 MB of compressed classes (every S3 operation's model and marshaller) to the one Lambda jar, which
 * pushed it past its 16 MB budget and slows class loading at cold start. The signer used here is the SDK's
 * own ({@code http-auth-aws}, already on the classpath for SQS/DynamoDB), so the wire protocol and the
 * credentials chain are exactly the SDK's.
 */
public final class S3ObjectReader {

    /** Bucket names that can be a DNS label prefix (no dots: TLS wildcard certificates don't cover them). */
    private static final Pattern VIRTUAL_HOST_BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

    private final Supplier<HttpClient> http;
    private final AwsCredentialsProvider credentials;
    private final Region region;
    private final URI endpointOverride;
    private final Duration timeout;

    /**
     * @param endpointOverride null for real S3; otherwise a base URI (loopback stand-ins, LocalStack) used
     *                         path-style
     */
    public S3ObjectReader(HttpClient http, AwsCredentialsProvider credentials, Region region, URI endpointOverride,
                          Duration timeout) {
        this(() -> http, credentials, region, endpointOverride, timeout);
    }

    /** {@code http} is asked for at each request (the Lambda passes the shared client, maybe still being built). */
    public S3ObjectReader(Supplier<HttpClient> http, AwsCredentialsProvider credentials, Region region, URI endpointOverride,
                          Duration timeout) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpointOverride = endpointOverride;
        this.timeout = timeout;
    }

    /** Outcome of an S3 read that did not return the object. */
    public static final class S3ReadException extends IOException {
        private final int status;
        private final String code;

        public S3ReadException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        /** S3's error code (e.g. NoSuchKey, AccessDenied), or null when the body had none. */
        public String code() {
            return code;
        }

        /** 404: the object is gone; retrying will not bring it back. */
        public boolean notFound() {
            return status == 404;
        }

        /** Throttling and server errors may pass; 403 may too (a policy being deployed), so only 404/400 are final. */
        public boolean retryable() {
            return status != 404 && status != 400;
        }
    }

    /** Opens the object for streaming. The caller closes the stream. */
    public InputStream open(String bucket, String key) throws IOException {
        URI uri = objectUri(bucket, key);
        SignedRequest signed = sign(uri, credentials.resolveCredentials());
        HttpRequest.Builder b = SigV4.headers(HttpRequest.newBuilder(uri).timeout(timeout).GET(), signed);
        HttpResponse<InputStream> response;
        try {
            response = http.get().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading s3 object", e);
        }
        if (response.statusCode() == 200) {
            return response.body();
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
        String code = between(body, "<Code>", "</Code>");
        throw new S3ReadException(response.statusCode(), code,
                "s3 GetObject answered " + response.statusCode() + (code == null ? "" : " " + code));
    }

    /**
     * SnapStart priming: loads and JIT-warms URI building, key encoding and the SigV4 signer with throwaway
     * credentials. No request is sent and the real credentials are not resolved (they must not be captured
     * in the snapshot).
     */
    public void prime() {
        sign(objectUri("warm-up-bucket", "prefix/event_type=users.messages.email.Open/warm up.avro"),
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDWARMUP", "warm-up"));
    }

    private SignedRequest sign(URI uri, software.amazon.awssdk.identity.spi.AwsCredentialsIdentity identity) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .uri(uri)
                .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .build();
        return SigV4.signS3(unsigned, identity, region);
    }

    URI objectUri(String bucket, String key) {
        String encodedKey = encodeKey(key);
        if (endpointOverride != null) {
            String base = endpointOverride.toString().replaceAll("/+$", "");
            return URI.create(base + "/" + bucket + "/" + encodedKey);
        }
        String host = "s3." + region.id() + ".amazonaws.com";
        if (VIRTUAL_HOST_BUCKET.matcher(bucket).matches()) {
            return URI.create("https://" + bucket + "." + host + "/" + encodedKey);
        }
        return URI.create("https://" + host + "/" + bucket + "/" + encodedKey);
    }

    /** RFC 3986 encoding of each path segment, keeping '/' (what SigV4 for S3 signs). */
    static String encodeKey(String key) {
        StringBuilder sb = new StringBuilder(key.length() + 16);
        String[] segments = key.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(URLEncoder.encode(segments[i], StandardCharsets.UTF_8)
                    .replace("+", "%20").replace("*", "%2A").replace("%7E", "~"));
        }
        return sb.toString();
    }

    private static String between(String s, String start, String end) {
        int a = s.indexOf(start);
        int b = a < 0 ? -1 : s.indexOf(end, a + start.length());
        return a < 0 || b < 0 ? null : s.substring(a + start.length(), b);
    }
}
