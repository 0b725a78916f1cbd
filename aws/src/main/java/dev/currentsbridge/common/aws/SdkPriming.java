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
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SnapStart priming of the AWS SDK request pipeline without any traffic: one call through a client configured
 * like production but over an in-memory HTTP client that answers a canned response. It loads and runs the SDK's
 * marshalling, SigV4 signing, endpoint rules, interceptors, retries and JSON unmarshalling, which otherwise cost
 * ~0.3 s on the first real call after restore (docs/PERFORMANCE.md). Throwaway credentials and a throwaway
 * client: nothing real is read into the snapshot.
 */
public final class SdkPriming {

    private SdkPriming() {
    }

    /** SQS (the ingest function's queue, the export function's rejects): one {@code GetQueueUrl}. */
    public static void primeSqs() {
        Region region = region();
        try (SqsClient client = throwawayClients(region,
                "{\"QueueUrl\":\"https://sqs." + region.id() + ".amazonaws.com/000000000000/priming\"}").sqs()) {
            client.getQueueUrl(r -> r.queueName("priming"));
        }
    }

    /** DynamoDB (the cohort functions' table): one {@code GetItem} that finds nothing. */
    public static void primeDynamoDb() {
        try (DynamoDbClient client = throwawayClients(region(), "{}").dynamoDb()) {
            client.getItem(r -> r.tableName("priming").key(Map.of("pk", AttributeValue.fromS("priming"),
                    "sk", AttributeValue.fromS("priming"))));
        }
    }

    /**
     * The Secrets Manager read path ({@link SecretsManagerReader#prime}): request body, signer and answer parsing
     * of a throwaway reader; no request, no credentials resolved, no secret read.
     */
    public static void primeSecretsManager() {
        new SecretsManagerReader(dev.currentsbridge.common.http.SharedHttpClient::get,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")), region(), null,
                java.time.Duration.ofSeconds(1)).prime();
    }

    /** In the function's own region ({@code AWS_REGION}), so the same endpoint rules run as later. */
    private static Region region() {
        return Region.of(Env.system().get("AWS_REGION", "us-east-1"));
    }

    private static AwsClients throwawayClients(Region region, String cannedAnswer) {
        return new AwsClients(region, StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")),
                new CannedHttpClient(cannedAnswer), Env.of(Map.of()));
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
