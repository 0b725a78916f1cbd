package dev.currentsbridge.common.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.standins.aws.SigV4Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The signed GET against a loopback S3 stand-in that verifies the SigV4 signature of what actually arrives
 * (method, path as sent on the wire, signed headers): a wrong key encoding, a dropped header or a Host
 * mismatch changes the signature and fails the request, as real S3 would.
 */
class S3ObjectReaderTest {

    private static final SigV4Verifier SIGNATURES = new SigV4Verifier("s3", Map.of("AKIDEXAMPLE", "secret"));

    private HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private volatile String lastRawPath;
    private volatile String lastSecurityToken;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        lastRawPath = ex.getRequestURI().getRawPath();
        lastSecurityToken = ex.getRequestHeaders().getFirst("x-amz-security-token");
        if (SIGNATURES.check(ex, null) != SigV4Verifier.Outcome.VALID) {
            reply(ex, 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
            return;
        }
        byte[] body = objects.get(ex.getRequestURI().getPath()); // decoded path: /bucket/key
        if (body == null) {
            reply(ex, 404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        try (var out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private S3ObjectReader reader(software.amazon.awssdk.auth.credentials.AwsCredentials credentials) {
        return new S3ObjectReader(SharedHttpClient.get(), StaticCredentialsProvider.create(credentials),
                Region.EU_WEST_1, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(5));
    }

    @Test
    void readsAnObjectWithAKeyThatNeedsEncoding() throws IOException {
        String key = "currents/dataexport.prod-01.S3.integration.abc/event_type=users.messages.email.Open/date=2026-11-28-10/a b+c.avro";
        byte[] content = "avro bytes".getBytes(StandardCharsets.UTF_8);
        objects.put("/my-bucket/" + key, content);

        try (InputStream in = reader(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")).open("my-bucket", key)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertTrue(lastRawPath.contains("event_type%3Dusers.messages.email.Open"), lastRawPath);
        assertTrue(lastRawPath.endsWith("/a%20b%2Bc.avro"), lastRawPath);
    }

    @Test
    void sendsTheSessionTokenOfTemporaryCredentials() throws IOException {
        objects.put("/b/k", new byte[] {1, 2, 3});
        try (InputStream in = reader(AwsSessionCredentials.create("AKIDEXAMPLE", "secret", "session-token")).open("b", "k")) {
            assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        }
        assertEquals("session-token", lastSecurityToken);
    }

    @Test
    void aMissingObjectIsFinalAndNamed() {
        var e = assertThrows(S3ObjectReader.S3ReadException.class,
                () -> reader(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")).open("b", "missing.avro"));
        assertEquals(404, e.status());
        assertEquals("NoSuchKey", e.code());
        assertTrue(e.notFound());
        assertFalse(e.retryable());
    }

    @Test
    void wrongCredentialsAreRefusedAndRetryable() {
        var e = assertThrows(S3ObjectReader.S3ReadException.class,
                () -> reader(AwsBasicCredentials.create("AKIDOTHER", "secret")).open("b", "k"));
        assertEquals(403, e.status());
        assertEquals("SignatureDoesNotMatch", e.code());
        assertTrue(e.retryable());
    }

    @Test
    void aWrongSecretKeyFailsTheSignatureCheck() {
        objects.put("/b/k", new byte[] {1});
        var e = assertThrows(S3ObjectReader.S3ReadException.class,
                () -> reader(AwsBasicCredentials.create("AKIDEXAMPLE", "not-the-secret")).open("b", "k"));
        assertEquals("SignatureDoesNotMatch", e.code());
    }

    @Test
    void realS3UsesVirtualHostsWhereTheBucketNameAllows() {
        var r = new S3ObjectReader(SharedHttpClient.get(), StaticCredentialsProvider.create(
                AwsBasicCredentials.create("a", "b")), Region.US_EAST_2, null, Duration.ofSeconds(1));
        assertEquals("https://my-bucket.s3.us-east-2.amazonaws.com/p/k%3D1.avro", r.objectUri("my-bucket", "p/k=1.avro").toString());
        assertEquals("https://s3.us-east-2.amazonaws.com/my.dotted.bucket/k", r.objectUri("my.dotted.bucket", "k").toString());
    }
}
