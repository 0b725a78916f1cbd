package dev.currentsbridge.common.aws;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS SDK clients the functions use: once per container (call from a handler's no-arg
 * constructor, i.e. at init, before the SnapStart snapshot), with an explicit region, the default
 * credentials chain (SnapStart hands out container credentials, so no env-var-only provider) and the
 * shared JDK HTTP client.
 *
 * <p>S3 is read through {@link S3ObjectReader} (a signed GET), not the S3 SDK module.
 *
 * <p>{@code endpoint} overrides the service endpoint: tests and local stand-ins (ElasticMQ, dynalite,
 * loopback stubs, LocalStack) use it. {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>} are
 * honoured from the environment too.
 */
public final class AwsClients {

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final Env env;

    public AwsClients(Region region, AwsCredentialsProvider credentials, SdkHttpClient http, Env env) {
        this.region = region;
        this.credentials = credentials;
        this.http = http;
        this.env = env;
    }

    /** Lambda's settings: region from {@code AWS_REGION}, default credentials chain, shared HTTP client. */
    public static AwsClients fromEnvironment(Env env) {
        Region region = Region.of(env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")));
        return new AwsClients(region, DefaultCredentialsProvider.builder().build(),
                new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(20)), env);
    }

    public Region region() {
        return region;
    }

    public SqsClient sqs() {
        return configure(SqsClient.builder(), "SQS").build();
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").build();
    }

    public SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder(), "SECRETS_MANAGER").build();
    }

    /** S3 GetObject for the export function (see {@link S3ObjectReader} for why not the S3 SDK module). */
    public S3ObjectReader s3ObjectReader() {
        return new S3ObjectReader(SharedHttpClient.get(), credentials, region,
                endpointFor("S3").map(URI::create).orElse(null), Duration.ofSeconds(30));
    }

    /** Settings for SDK clients built outside this class (e.g. the CLI's S3 listing client). */
    public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configureBuilder(B builder, String service) {
        return configure(builder, service);
    }

    /** The endpoint override for a service ({@code AWS_ENDPOINT_URL_<SERVICE>} or {@code AWS_ENDPOINT_URL}). */
    public Optional<String> endpointFor(String service) {
        return env.optional("AWS_ENDPOINT_URL_" + service).or(() -> env.optional("AWS_ENDPOINT_URL"));
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(region).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(25))
                        .build());
        endpointFor(service).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        return builder;
    }

}
