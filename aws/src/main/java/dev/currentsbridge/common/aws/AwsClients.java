package dev.currentsbridge.common.aws;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.lambda.InitType;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS SDK clients the functions use: once per container (call from a handler's no-arg
 * constructor, i.e. at init, before the SnapStart snapshot), with an explicit region, explicit credentials
 * (see {@link #lambdaCredentials}) and the shared JDK HTTP client.
 *
 * <p>S3 is read through {@link S3ObjectReader} (a signed GET), not the S3 SDK module, and secrets through
 * {@link SecretsManagerReader} (a signed POST), not the Secrets Manager SDK module: see those classes for why.
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

    /**
     * Lambda's settings: region from {@code AWS_REGION}, credentials for the init type, shared HTTP client. Called
     * first in every handler's Lambda constructor, so it also starts building the shared HTTP client in the
     * background (its TLS setup is the slowest step of a cold start); the SDK clients built meanwhile ask for it
     * only at their first request.
     */
    public static AwsClients fromEnvironment(Env env) {
        SharedHttpClient.startBuilding();
        Region region = Region.of(env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")));
        return new AwsClients(region, lambdaCredentials(env),
                new JdkSdkHttpClient(SharedHttpClient::get, Duration.ofSeconds(20)), env);
    }

    /**
     * An on-demand Lambda container gets its role's credentials in {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN}: the default chain would find them there too,
     * after ~0.1 s of loading the other providers' classes. SnapStart hands out container credentials instead
     * (and environment values would be frozen into the snapshot), so every other init keeps the default chain.
     */
    static AwsCredentialsProvider lambdaCredentials(Env env) {
        if (InitType.of(env) == InitType.ON_DEMAND && env.optional("AWS_ACCESS_KEY_ID").isPresent()
                && env.optional("AWS_SECRET_ACCESS_KEY").isPresent()) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        return DefaultCredentialsProvider.builder().build();
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

    /**
     * Secrets Manager ({@link SecretsManagerReader}) behind a per-container cache, for a handler that needs
     * {@code secretId} on every invocation. On an on-demand init ({@link InitType#prefetches}) the secret is read
     * on a background thread from now on, overlapping the rest of the init and the first request's own work; on
     * any other init it is read on first use (never into a SnapStart snapshot).
     */
    public CachingSecretSource secrets(String secretId) {
        CachingSecretSource secrets = new CachingSecretSource(new SecretsManagerReader(SharedHttpClient::get, credentials,
                region, endpointFor("SECRETS_MANAGER").map(URI::create).orElse(null), Duration.ofSeconds(10)));
        if (InitType.of(env).prefetches()) {
            secrets.prefetch(secretId);
        }
        return secrets;
    }

    /** S3 GetObject for the export function (see {@link S3ObjectReader} for why not the S3 SDK module). */
    public S3ObjectReader s3ObjectReader() {
        return new S3ObjectReader(SharedHttpClient::get, credentials, region,
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
