package dev.currentsbridge.common.aws;

import dev.currentsbridge.common.http.HttpPriming;
import org.junit.jupiter.api.Test;

/** Priming runs the request paths to completion, with no endpoint configured and nothing listening. */
class SdkPrimingTest {

    @Test
    void sdkPipelinesRunToTheEndAgainstTheCannedClient() {
        // Any failure of marshalling, signing, endpoint rules or unmarshalling would throw here.
        SdkPriming.primeSqs();
        SdkPriming.primeDynamoDb();
        SdkPriming.primeSqs(); // twice: nothing of the throwaway client is left behind to break a second run
    }

    @Test
    void httpPostPrimingCompletesOnLoopback() {
        HttpPriming.primePost();
        HttpPriming.primePost(); // twice: the first connection was closed, nothing pooled breaks the second
    }
}
