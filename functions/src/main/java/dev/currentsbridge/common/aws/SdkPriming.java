package dev.currentsbridge.common.aws;

import dev.currentsbridge.common.config.Env;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * SnapStart priming of the AWS SDK request pipeline without any traffic: one {@code GetSecretValue} through a
 * Secrets Manager client configured like production but over an in-memory HTTP client that answers a canned
 * response. It loads and runs the SDK's marshalling, SigV4 signing, endpoint rules, interceptors, retries and
 * JSON unmarshalling, which otherwise cost ~0.3 s on the first real call after restore (docs/PERFORMANCE.md).
 * Throwaway credentials and a throwaway client: nothing real is read into the snapshot.
 */
public final class SdkPriming {

    private SdkPriming() {
    }

    /** In the function's own region ({@code AWS_REGION}), so the same endpoint rules run as later. */
    public static void primeSecretsManager() {
        primeSecretsManager(Region.of(Env.system().get("AWS_REGION", "us-east-1")));
    }

    public static void primeSecretsManager(Region region) {
        String canned = "{\"ARN\":\"arn:aws:secretsmanager:" + region.id() + ":000000000000:secret:priming-AbCdEf\","
                + "\"Name\":\"priming\",\"SecretString\":\"{}\",\"VersionId\":\"priming\"}";
        AwsClients aws = new AwsClients(region, StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")),
                new CannedHttpClient(canned), Env.of(Map.of()));
        try (SecretsManagerClient client = aws.secretsManager()) {
            client.getSecretValue(r -> r.secretId("priming"));
        }
    }

    /** An SDK HTTP client that never opens a socket: every request gets the same 200 JSON answer. */
    static final class CannedHttpClient implements SdkHttpClient {
        private final byte[] body;

        CannedHttpClient(String body) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    if (request.contentStreamProvider().isPresent()) {
                        try (InputStream in = request.contentStreamProvider().get().newStream()) {
                            in.readAllBytes();
                        }
                    }
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                                    .putHeader("x-amzn-RequestId", "priming").build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public String clientName() {
            return "priming";
        }

        @Override
        public void close() {
        }
    }
}
