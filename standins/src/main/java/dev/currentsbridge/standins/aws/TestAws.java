package dev.currentsbridge.standins.aws;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Real AWS SDK clients pointed at loopback stand-ins: the same {@link AwsClients} factory the handlers use,
 * with static test credentials and endpoint overrides ({@code AWS_ENDPOINT_URL_SQS},
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, {@code AWS_ENDPOINT_URL_S3}).
 */
public final class TestAws {

    public static final Region REGION = Region.US_EAST_1;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private TestAws() {
    }

    /** Builder of the endpoint variables; pass null for a service that is not needed. */
    public static Map<String, String> endpoints(URI sqs, URI secretsManager, URI s3) {
        Map<String, String> m = new HashMap<>();
        if (sqs != null) {
            m.put("AWS_ENDPOINT_URL_SQS", sqs.toString());
        }
        if (secretsManager != null) {
            m.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsManager.toString());
        }
        if (s3 != null) {
            m.put("AWS_ENDPOINT_URL_S3", s3.toString());
        }
        m.put("AWS_REGION", REGION.id());
        return m;
    }

    /** SDK clients for {@code env} (which should hold the endpoint overrides). */
    public static AwsClients clients(Env env) {
        return new AwsClients(REGION, CREDENTIALS,
                new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(10)), env);
    }
}
