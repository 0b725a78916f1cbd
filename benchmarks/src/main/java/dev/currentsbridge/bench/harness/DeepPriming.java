package dev.currentsbridge.bench.harness;

import dev.currentsbridge.common.aws.SdkPriming;
import dev.currentsbridge.common.http.HttpPriming;
import software.amazon.awssdk.regions.Region;

/**
 * The deeper priming measured by the cold-start harness ({@code --prime-deep}). It started here as a proposal and
 * now lives in the functions ({@link SdkPriming}, {@link HttpPriming}), called from the handlers'
 * {@code beforeCheckpoint}; the harness keeps this entry point so its variants stay comparable.
 */
public final class DeepPriming {

    private DeepPriming() {
    }

    public static void primeAll(String region) {
        primeSecretsManagerPipeline(region);
        primeHttpClient();
    }

    public static void primeSecretsManagerPipeline(String region) {
        SdkPriming.primeSecretsManager(Region.of(region));
    }

    public static void primeHttpClient() {
        HttpPriming.primePost();
    }
}
