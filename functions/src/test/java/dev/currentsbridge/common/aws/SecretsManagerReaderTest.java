package dev.currentsbridge.common.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import dev.currentsbridge.standins.aws.SecretsManagerStub;
import dev.currentsbridge.standins.aws.TestAws;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The signed {@code GetSecretValue} against a loopback Secrets Manager that speaks AWS JSON 1.1 and verifies
 * every signature (body included), as AWS does.
 */
class SecretsManagerReaderTest {

    private SecretsManagerStub stub;

    @BeforeEach
    void start() {
        stub = SecretsManagerStub.start().put("currents-bridge/mixpanel", "{\"project_token\":\"t\"}");
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private SecretsManagerReader reader(AwsCredentialsProvider credentials) {
        return new SecretsManagerReader(SharedHttpClient::get, credentials, Region.US_EAST_1, stub.endpoint(),
                Duration.ofSeconds(5));
    }

    private SecretsManagerReader reader() {
        return reader(TestAws.CREDENTIALS);
    }

    @Test
    void readsThePreviousVersionByItsStagingLabelAndNoneBeforeARotation() {
        String id = "currents-bridge/mixpanel";
        assertEquals(java.util.Optional.empty(), reader().previous(id), "never rotated: no AWSPREVIOUS");
        stub.put(id, "{\"project_token\":\"t2\"}");
        assertEquals("{\"project_token\":\"t2\"}", reader().get(id));
        assertEquals(java.util.Optional.of("{\"project_token\":\"t\"}"), reader().previous(id));
        assertEquals(2, stub.reads(id, "AWSPREVIOUS"));
        assertEquals(1, stub.reads(id, "AWSCURRENT"));
        assertEquals(0, stub.rejectedSignatures(), "the VersionStage member is signed like the rest");
    }

    @Test
    void readsASecretByNameAndByArn() {
        assertEquals("{\"project_token\":\"t\"}", reader().get("currents-bridge/mixpanel"));
        assertEquals("{\"project_token\":\"t\"}", reader().get(SecretsManagerStub.arnOf("currents-bridge/mixpanel")));
        assertEquals(2, stub.reads("currents-bridge/mixpanel"));
        assertEquals(0, stub.rejectedSignatures());
    }

    @Test
    void signsWithSessionCredentials() {
        stub.acceptKey("ASIASESSION", "session-secret");
        var session = StaticCredentialsProvider.create(
                AwsSessionCredentials.create("ASIASESSION", "session-secret", "the-session-token"));
        assertEquals("{\"project_token\":\"t\"}", reader(session).get("currents-bridge/mixpanel"));
    }

    @Test
    void aWrongSecretKeyIsRefusedAndNotRetried() {
        var wrong = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "not-the-secret"));
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> reader(wrong).get("currents-bridge/mixpanel"));
        assertTrue(e.getMessage().contains("InvalidSignatureException"), e.getMessage());
        assertFalse(e.retryable());
        assertEquals(1, stub.requests());
    }

    @Test
    void anUnknownAccessKeyIsRefusedAndNotRetried() {
        var unknown = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDUNKNOWN", "x"));
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> reader(unknown).get("currents-bridge/mixpanel"));
        assertTrue(e.getMessage().contains("UnrecognizedClientException"), e.getMessage());
        assertFalse(e.retryable());
        assertEquals(1, stub.requests());
    }

    @Test
    void aMissingSecretIsFinal() {
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class, () -> reader().get("nope"));
        assertEquals("secret not found: nope", e.getMessage());
        assertFalse(e.retryable());
        assertEquals(1, stub.requests(), "not found is not retried");
    }

    @Test
    void throttlingAndServerErrorsAreRetriedTwice() {
        stub.failNext(1, 400, "ThrottlingException");
        stub.failNext(1, 500, "InternalServiceError");
        assertEquals("{\"project_token\":\"t\"}", reader().get("currents-bridge/mixpanel"));
        assertEquals(3, stub.requests());
    }

    @Test
    void threeFailuresInARowAreARetryableError() {
        stub.failNext(3, 503, "ServiceUnavailable");
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> reader().get("currents-bridge/mixpanel"));
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("ServiceUnavailable"), e.getMessage());
        assertEquals(3, stub.requests());
    }

    @Test
    void anUnreachableEndpointIsARetryableError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        var reader = new SecretsManagerReader(SharedHttpClient::get, TestAws.CREDENTIALS, Region.US_EAST_1,
                URI.create("http://127.0.0.1:" + closedPort), Duration.ofSeconds(2));
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class, () -> reader.get("x"));
        assertTrue(e.retryable());
    }

    @Test
    void missingCredentialsAreARetryableErrorNotACrash() {
        AwsCredentialsProvider none = () -> {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to load credentials");
        };
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> reader(none).get("currents-bridge/mixpanel"));
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("no AWS credentials"), e.getMessage());
        assertEquals(0, stub.requests());
    }

    @Test
    void primingSendsNothing() {
        reader().prime();
        assertEquals(0, stub.requests());
    }

    @Test
    void regionalEndpointsFollowThePartition() {
        assertEquals(URI.create("https://secretsmanager.eu-west-1.amazonaws.com/"),
                SecretsManagerReader.regionalEndpoint(Region.EU_WEST_1));
        assertEquals(URI.create("https://secretsmanager.cn-north-1.amazonaws.com.cn/"),
                SecretsManagerReader.regionalEndpoint(Region.CN_NORTH_1));
    }

    @Test
    void errorTypesLoseTheirNamespaceAndSuffix() {
        String body = "{\"__type\":\"com.amazonaws.secretsmanager#ThrottlingException\",\"Message\":\"slow down\"}";
        assertEquals("ThrottlingException",
                SecretsManagerReader.errorType(SecretsManagerReader.topLevelStrings(body.getBytes()).get("__type")));
        assertEquals("AccessDeniedException", SecretsManagerReader.errorType("AccessDeniedException:http://internal.amazon.com/"));
        assertEquals(null, SecretsManagerReader.errorType(null));
    }

    @Test
    void onlyTopLevelStringsAreRead() {
        String body = "{\"Name\":\"n\",\"VersionStages\":[\"AWSCURRENT\"],\"Nested\":{\"SecretString\":\"no\"},"
                + "\"CreatedDate\":1.7E9,\"SecretString\":\"{\\\"k\\\":\\\"v\\\"}\"}";
        var strings = SecretsManagerReader.topLevelStrings(body.getBytes());
        assertEquals("{\"k\":\"v\"}", strings.get("SecretString"));
        assertEquals("n", strings.get("Name"));
        assertEquals(2, strings.size());
        assertEquals(java.util.Map.of(), SecretsManagerReader.topLevelStrings("<html>bad gateway</html>".getBytes()));
    }

    @Test
    void aSecretIdThatNeedsEscapingIsSentAsJson() {
        stub.put("odd\"name\\with", "v");
        assertEquals("v", reader().get("odd\"name\\with"));
    }
}
