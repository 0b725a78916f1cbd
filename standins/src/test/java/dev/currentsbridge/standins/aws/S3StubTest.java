package dev.currentsbridge.standins.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The stub's ListObjectsV2 and GetObject through the real SDK S3 client (path style, as the cli builds it): the
 * XML parses, pagination follows the continuation tokens, keys come back whole (XML-escaped, or URL-encoded when
 * {@code encoding-type=url} is asked for, and decoded by the SDK), errors are the
 * SDK's typed exceptions, and only signed requests are answered. The raw wire (query, XML) is captured by an
 * interceptor to show what the SDK asked for and what the stub answered.
 */
class S3StubTest {

    private static final String BUCKET = "currents-bucket";

    private final S3Stub stub = S3Stub.start();
    private final List<String> rawQueries = new CopyOnWriteArrayList<>();
    private final List<String> rawBodies = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        stub.close();
    }

    /** Captures each request's query and each response's body, handing the body on unchanged. */
    private final ExecutionInterceptor wire = new ExecutionInterceptor() {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            rawQueries.add(context.httpRequest().getUri().getRawQuery());
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                               ExecutionAttributes attributes) {
            return context.responseBody().map(in -> {
                try (in) {
                    byte[] body = in.readAllBytes();
                    rawBodies.add(new String(body, StandardCharsets.UTF_8));
                    return new ByteArrayInputStream(body);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    };

    private S3Client client(AwsCredentialsProvider credentials) {
        Env env = Env.of(TestAws.endpoints(null, null, stub.endpoint()));
        return new AwsClients(TestAws.REGION, credentials, new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(10)), env)
                .configureBuilder(S3Client.builder(), "S3")
                .overrideConfiguration(c -> c.addExecutionInterceptor(wire).retryStrategy(r -> r.maxAttempts(1)))
                .forcePathStyle(true)
                .build();
    }

    private S3Client client() {
        return client(TestAws.CREDENTIALS);
    }

    private static String key(int i) {
        return "currents/event_type=users.messages.email.Open/date=2026-11-28-22/part " + i + "+0+" + i + ".avro";
    }

    @Test
    void thePaginatorWalksEveryPageInKeyOrderWithSizesAndEtags() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            byte[] content = ("object " + i).repeat(i + 1).getBytes(StandardCharsets.UTF_8);
            stub.put(BUCKET, key(i), content);
            expected.add(key(i));
        }
        stub.put(BUCKET, "currents-other/x.avro", new byte[] {1});
        stub.put(BUCKET, "a-before/x.avro", new byte[] {1});
        stub.pageSize(3);

        List<S3Object> listed = new ArrayList<>();
        try (S3Client s3 = client()) {
            s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("currents/")).contents().forEach(listed::add);
        }

        assertEquals(expected, listed.stream().map(S3Object::key).toList());
        assertEquals(3, stub.listRequests(), "7 keys in pages of 3");
        for (int i = 0; i < 7; i++) {
            byte[] content = ("object " + i).repeat(i + 1).getBytes(StandardCharsets.UTF_8);
            assertEquals(content.length, listed.get(i).size());
            assertEquals("\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)) + "\"",
                    listed.get(i).eTag());
            assertTrue(listed.get(i).lastModified().isAfter(Instant.now().minusSeconds(60)), listed.get(i).toString());
        }
        assertTrue(rawQueries.get(0).contains("list-type=2"), rawQueries.toString());
        assertFalse(rawQueries.get(0).contains("continuation-token"), rawQueries.toString());
        assertTrue(rawQueries.get(1).contains("continuation-token="), rawQueries.toString());
        assertTrue(rawBodies.get(0).contains("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"), rawBodies.get(0));
    }

    @Test
    void maxKeysPagesCarryTheTokenAndCounts() {
        for (int i = 0; i < 5; i++) {
            stub.put(BUCKET, key(i), new byte[] {(byte) i});
        }
        try (S3Client s3 = client()) {
            ListObjectsV2Response first = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("currents/").maxKeys(2));
            assertEquals(List.of(key(0), key(1)), first.contents().stream().map(S3Object::key).toList());
            assertTrue(first.isTruncated());
            assertEquals(2, first.keyCount());
            assertEquals(2, first.maxKeys());
            assertEquals("currents/", first.prefix());
            assertNotNull(first.nextContinuationToken());

            ListObjectsV2Response second = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("currents/").maxKeys(10)
                    .continuationToken(first.nextContinuationToken()));
            assertEquals(List.of(key(2), key(3), key(4)), second.contents().stream().map(S3Object::key).toList());
            assertFalse(second.isTruncated());
            assertNull(second.nextContinuationToken());
            assertEquals(first.nextContinuationToken(), second.continuationToken());

            ListObjectsV2Response after = s3.listObjectsV2(b -> b.bucket(BUCKET).startAfter(key(3)));
            assertEquals(List.of(key(4)), after.contents().stream().map(S3Object::key).toList());
            assertEquals(key(3), after.startAfter());

            ListObjectsV2Response none = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("nothing/here"));
            assertEquals(0, none.keyCount());
            assertTrue(none.contents().isEmpty());
            assertFalse(none.isTruncated());

            var badToken = assertThrows(S3Exception.class,
                    () -> s3.listObjectsV2(b -> b.bucket(BUCKET).continuationToken("not-a-token")));
            assertEquals(400, badToken.statusCode());
            assertEquals("InvalidArgument", badToken.awsErrorDetails().errorCode());
        }
    }

    /** Keys as Currents writes them ('=', '+') and worse: spaces, XML specials, a literal '%', non-ASCII. */
    private static final List<String> ODD_KEYS = List.of(
            "p/event_type=users.messages.email.Open/a b+c.avro",
            "p/odd & <xml> 'chars' \"q\".json",
            "p/percent %41 literal.json",
            "p/unicode é ü 日本.json");

    private void putOddKeys() {
        for (String k : ODD_KEYS) {
            stub.put(BUCKET, k, k.getBytes(StandardCharsets.UTF_8));
        }
        stub.put(BUCKET, "p and space/other.json", new byte[] {1});
    }

    @Test
    void withoutEncodingTypeKeysAreXmlEscapedAndReadBack() {
        putOddKeys();
        try (S3Client s3 = client()) {
            // What the SDK sends by default (2.57 no longer adds encoding-type=url itself).
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("p/"));
            assertEquals(ODD_KEYS.stream().sorted().toList(), r.contents().stream().map(S3Object::key).toList());
            for (String k : ODD_KEYS) {
                assertArrayEquals(k.getBytes(StandardCharsets.UTF_8),
                        s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(k)).asByteArray(), k);
            }
        }
        assertFalse(rawQueries.get(0).contains("encoding-type"), rawQueries.get(0));
        String xml = rawBodies.get(0);
        assertFalse(xml.contains("<EncodingType>"), xml);
        assertTrue(xml.contains("<Key>p/odd &amp; &lt;xml&gt; 'chars' &quot;q&quot;.json</Key>"), xml);
    }

    @Test
    void withEncodingTypeUrlKeysAreEncodedOnTheWireAndDecodedByTheSdk() {
        putOddKeys();
        try (S3Client s3 = client()) {
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("p/").encodingType(EncodingType.URL));
            assertEquals(ODD_KEYS.stream().sorted().toList(), r.contents().stream().map(S3Object::key).toList());
            assertEquals("p/", r.prefix());
            ListObjectsV2Response spaced = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("p and space/")
                    .startAfter("p and space/a").encodingType(EncodingType.URL));
            assertEquals(List.of("p and space/other.json"), spaced.contents().stream().map(S3Object::key).toList());
            assertEquals("p and space/", spaced.prefix());
            assertEquals("p and space/a", spaced.startAfter());
        }
        assertTrue(rawQueries.get(0).contains("encoding-type=url"), rawQueries.get(0));
        String xml = rawBodies.get(0);
        assertTrue(xml.contains("<EncodingType>url</EncodingType>"), xml);
        assertTrue(xml.contains("<Key>p/event_type%3Dusers.messages.email.Open/a+b%2Bc.avro</Key>"), xml);
        assertTrue(xml.contains("<Key>p/percent+%2541+literal.json</Key>"), xml);
        assertTrue(xml.contains("<Key>p/unicode+%C3%A9+%C3%BC+%E6%97%A5%E6%9C%AC.json</Key>"), xml);
        assertTrue(rawBodies.get(1).contains("<Prefix>p+and+space/</Prefix>"), rawBodies.get(1));
    }

    @Test
    void anUnknownBucketIsNoSuchBucket() {
        stub.put(BUCKET, "k", new byte[] {1});
        try (S3Client s3 = client()) {
            var list = assertThrows(NoSuchBucketException.class, () -> s3.listObjectsV2(b -> b.bucket("no-such-bucket")));
            assertEquals(404, list.statusCode());
            assertEquals("NoSuchBucket", list.awsErrorDetails().errorCode());
            assertThrows(NoSuchBucketException.class, () -> s3.getObjectAsBytes(b -> b.bucket("no-such-bucket").key("k")));
        }
        assertTrue(rawBodies.get(0).contains("<BucketName>no-such-bucket</BucketName>"), rawBodies.get(0));
    }

    @Test
    void anEmptyBucketListsNothing() {
        stub.createBucket("empty");
        try (S3Client s3 = client()) {
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket("empty"));
            assertEquals(0, r.keyCount());
            assertEquals("empty", r.name());
        }
    }

    @Test
    void anObjectCanVanishBetweenListAndGet() {
        stub.put(BUCKET, "d/a.json", new byte[] {1}).put(BUCKET, "d/b.json", new byte[] {2});
        stub.vanishAfterListed(BUCKET, "d/b.json");
        try (S3Client s3 = client()) {
            assertEquals(List.of("d/a.json", "d/b.json"), s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("d/"))
                    .contents().stream().map(S3Object::key).toList());
            assertArrayEquals(new byte[] {1}, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("d/a.json")).asByteArray());
            var gone = assertThrows(NoSuchKeyException.class, () -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("d/b.json")));
            assertEquals(404, gone.statusCode());
            assertEquals(List.of("d/a.json"), s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("d/"))
                    .contents().stream().map(S3Object::key).toList());
        }
    }

    @Test
    void onlyRequestsSignedByAKnownKeyAreAnswered() {
        stub.put(BUCKET, "k", new byte[] {1});
        try (S3Client unknown = client(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDUNKNOWN", "x")));
             S3Client wrongSecret = client(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "wrong")))) {
            var e = assertThrows(S3Exception.class, () -> unknown.listObjectsV2(b -> b.bucket(BUCKET)));
            assertEquals(403, e.statusCode());
            assertEquals("InvalidAccessKeyId", e.awsErrorDetails().errorCode());
            var m = assertThrows(S3Exception.class, () -> wrongSecret.getObjectAsBytes(b -> b.bucket(BUCKET).key("k")));
            assertEquals("SignatureDoesNotMatch", m.awsErrorDetails().errorCode());
        }
        assertEquals(2, stub.rejectedSignatures());
        stub.acceptKey("AKIDOTHER", "other-secret");
        try (S3Client other = client(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDOTHER", "other-secret")))) {
            assertEquals(1, other.listObjectsV2(b -> b.bucket(BUCKET)).keyCount());
        }
        assertEquals(2, stub.rejectedSignatures());
    }

    @Test
    void whatTheStubDoesNotImplementFailsLoudly() {
        stub.put(BUCKET, "a/b", new byte[] {1});
        try (S3Client s3 = client()) {
            var e = assertThrows(S3Exception.class, () -> s3.listObjectsV2(b -> b.bucket(BUCKET).delimiter("/")));
            assertEquals(501, e.statusCode());
            var v1 = assertThrows(S3Exception.class, () -> s3.listObjects(b -> b.bucket(BUCKET)));
            assertEquals(501, v1.statusCode());
        }
    }
}
