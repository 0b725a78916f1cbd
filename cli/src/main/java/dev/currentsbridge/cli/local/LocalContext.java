package dev.currentsbridge.cli.local;

import com.amazonaws.services.lambda.runtime.Context;
import dev.currentsbridge.standins.local.LocalLambdaContext;
import java.time.Duration;

/** Lambda contexts for local invocations, with the function's timeout and memory from {@code template.yaml}. */
public final class LocalContext {

    private LocalContext() {
    }

    public static Context create(String functionName, Duration timeout, int memoryMb) {
        return LocalLambdaContext.withTimeout(functionName, timeout, memoryMb);
    }

    /** Makes one context per invocation. */
    public record Factory(String functionName, Duration timeout, int memoryMb) {
        public Context next() {
            return create(functionName, timeout, memoryMb);
        }
    }
}
