package dev.currentsbridge.common.aws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.http.HttpPriming;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** Priming runs the request paths to completion, with no endpoint configured and nothing listening. */
class SdkPrimingTest {

    @Test
    void secretsManagerPipelineRunsAgainstTheCannedClient() {
        long t = System.nanoTime();
        SdkPriming.primeSecretsManager(Region.EU_WEST_1);
        SdkPriming.primeSecretsManager(); // the environment's region (or us-east-1)
        assertTrue(System.nanoTime() - t < 30_000_000_000L);
    }

    @Test
    void httpPostPrimingCompletesOnLoopback() {
        HttpPriming.primePost();
        HttpPriming.primePost(); // twice: the first connection was closed, nothing pooled breaks the second
    }
}
