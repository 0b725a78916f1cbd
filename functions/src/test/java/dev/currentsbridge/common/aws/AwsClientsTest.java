package dev.currentsbridge.common.aws;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.currentsbridge.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;

class AwsClientsTest {

    private static final Map<String, String> KEYS = Map.of("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "s");

    private static Env env(Map<String, String> base, String initType) {
        return initType == null ? Env.of(base) : Env.of(base).overriddenBy(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", initType));
    }

    @Test
    void anOnDemandContainerUsesTheRoleCredentialsLambdaPutInItsEnvironment() {
        assertInstanceOf(EnvironmentVariableCredentialsProvider.class, AwsClients.lambdaCredentials(env(KEYS, "on-demand")));
    }

    @Test
    void everythingElseKeepsTheDefaultChain() {
        // SnapStart: container credentials, and nothing from the environment may be frozen into the snapshot.
        assertInstanceOf(DefaultCredentialsProvider.class, AwsClients.lambdaCredentials(env(KEYS, "snap-start")));
        assertInstanceOf(DefaultCredentialsProvider.class, AwsClients.lambdaCredentials(env(KEYS, "provisioned-concurrency")));
        assertInstanceOf(DefaultCredentialsProvider.class, AwsClients.lambdaCredentials(env(KEYS, null)));
        assertInstanceOf(DefaultCredentialsProvider.class, AwsClients.lambdaCredentials(env(Map.of(), "on-demand")));
    }
}
