package dev.currentsbridge.common.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * Secrets Manager {@code GetSecretValue}: one SigV4-signed POST of the AWS JSON 1.1 protocol on the shared HTTP
 * client. Wrap it in {@code CachingSecretSource}: one read per container.
 *
 * <p>Why not the SDK's {@code SecretsManagerClient}: the secret is read on every cold start, and building that
 * client and making its first call loads ~0.5 s of SDK classes (client configuration, endpoint rules,
 * interceptors, protocol marshalling); the export function needs no other SDK client on its cold path, so this
 * reader alone took its cold start from 1.0 s to under it (docs/PERFORMANCE.md, section 4). The signature is the
 * SDK's own signer's; the call and its errors are the documented ones ({@code ResourceNotFoundException},
 * throttling, 5xx), tested against a loopback stub that verifies signatures and, with Docker, LocalStack.
 */
public final class SecretsManagerReader implements SecretSource {

    private static final String TARGET = "secretsmanager.GetSecretValue";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final int ATTEMPTS = 3;
    private static final String PREVIOUS = "AWSPREVIOUS";
    private static final JsonFactory JSON = new JsonFactory();
    /** Errors that say the request itself cannot succeed as sent; anything else may pass on a retry. */
    private static final Set<String> FINAL_ERRORS = Set.of("ResourceNotFoundException", "AccessDeniedException",
            "DecryptionFailure", "InvalidParameterException", "InvalidRequestException", "ValidationException",
            "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature");

    private final Supplier<HttpClient> http;
    private final AwsCredentialsProvider credentials;
    private final Region region;
    private final URI endpoint;
    private final Duration timeout;

    /**
     * @param http             asked for at each request (the Lambda passes the shared client, maybe still being built)
     * @param endpointOverride null for the region's endpoint; otherwise a base URI (loopback stubs, LocalStack)
     */
    public SecretsManagerReader(Supplier<HttpClient> http, AwsCredentialsProvider credentials, Region region,
                                URI endpointOverride, Duration timeout) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpoint = endpointOverride != null ? endpointOverride : regionalEndpoint(region);
        this.timeout = timeout;
    }

    static URI regionalEndpoint(Region region) {
        String suffix = region.id().startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
        return URI.create("https://secretsmanager." + region.id() + "." + suffix + "/");
    }

    /** Reads the secret's string value; retries throttling, 5xx and I/O errors twice (100 ms, then 400 ms). */
    @Override
    public String get(String secretId) {
        return read(secretId, null);
    }

    /**
     * The {@code AWSPREVIOUS} version (a {@code GetSecretValue} with that {@code VersionStage}); empty when the
     * secret was never rotated (Secrets Manager then answers {@code ResourceNotFoundException}).
     */
    @Override
    public Optional<String> previous(String secretId) {
        try {
            return Optional.of(read(secretId, PREVIOUS));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private String read(String secretId, String versionStage) {
        for (int attempt = 1; ; attempt++) {
            try {
                return getOnce(secretId, versionStage);
            } catch (SecretUnavailableException e) {
                if (!e.retryable() || attempt == ATTEMPTS) {
                    throw e;
                }
                pause(100L << (2 * (attempt - 1)));
            }
        }
    }

    /** The secret, or the version asked for, does not exist. */
    private static final class NotFoundException extends SecretUnavailableException {
        NotFoundException(String message) {
            super(message, false, null);
        }
    }

    private String getOnce(String secretId, String versionStage) {
        byte[] payload = requestBody(secretId, versionStage);
        SignedRequest signed;
        try {
            signed = sign(payload, credentials.resolveCredentials());
        } catch (SdkException e) {
            // No credentials yet (e.g. the container credentials endpoint did not answer): may pass on a retry.
            throw new SecretUnavailableException("cannot read secret " + secretId + ": no AWS credentials ("
                    + e.getClass().getSimpleName() + ")", true, e);
        }
        HttpRequest request = SigV4.headers(HttpRequest.newBuilder(endpoint).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)), signed).build();
        HttpResponse<byte[]> response;
        try {
            response = http.get().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SecretUnavailableException("cannot read secret " + secretId + ": " + e.getClass().getSimpleName(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretUnavailableException("interrupted reading secret " + secretId, true, e);
        }
        Map<String, String> body = topLevelStrings(response.body());
        if (response.statusCode() == 200) {
            String value = body.get("SecretString");
            if (value == null) {
                throw new SecretUnavailableException("secret has no string value: " + secretId, false, null);
            }
            return value;
        }
        String type = errorType(response.headers().firstValue("x-amzn-ErrorType").orElse(body.get("__type")));
        if ("ResourceNotFoundException".equals(type)) {
            throw new NotFoundException("secret not found: " + secretId
                    + (versionStage == null ? "" : " (version stage " + versionStage + ")"));
        }
        boolean retryable = response.statusCode() >= 500 || type == null || !FINAL_ERRORS.contains(type);
        throw new SecretUnavailableException("cannot read secret " + secretId + ": "
                + (type == null ? String.valueOf(response.statusCode()) : type), retryable, null);
    }

    /**
     * SnapStart priming: the request body, the signer and the JSON reading of an answer, with throwaway
     * credentials and nothing sent (the real credentials and the secret must not be in the snapshot).
     */
    public void prime() {
        sign(requestBody("priming", null), AwsBasicCredentials.create("AKIDPRIMING", "priming"));
        topLevelStrings("{\"Name\":\"priming\",\"SecretString\":\"{}\",\"VersionStages\":[\"AWSCURRENT\"]}"
                .getBytes(StandardCharsets.UTF_8));
    }

    private SignedRequest sign(byte[] payload, AwsCredentialsIdentity identity) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET)
                .build();
        return SigV4.sign(unsigned, payload, "secretsmanager", identity, region);
    }

    // JSON with jackson-core only: the read runs on a cold path beside the first batch's mapping, and databind's
    // first use alone costs ~0.25 s of class loading that both would otherwise wait on.

    private static byte[] requestBody(String secretId, String versionStage) {
        return ("{\"SecretId\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(secretId)) + "\""
                + (versionStage == null ? "" : ",\"VersionStage\":\"" + versionStage + "\"") + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The string members of a JSON object's top level (an error page that is not JSON gives what was read). */
    static Map<String, String> topLevelStrings(byte[] body) {
        Map<String, String> out = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    out.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON (a proxy's error page): the status code decides
        }
        return out;
    }

    /** {@code x-amzn-ErrorType} or {@code __type}, without a namespace ({@code aws.foo#Type}) or a suffix ({@code Type:http://...}). */
    static String errorType(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        int colon = raw.indexOf(':');
        if (colon >= 0) {
            raw = raw.substring(0, colon);
        }
        return raw.substring(raw.lastIndexOf('#') + 1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretUnavailableException("interrupted reading a secret", true, e);
        }
    }
}
