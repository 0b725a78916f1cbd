package dev.currentsbridge.standins.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.currentsbridge.common.log.Log;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The Lambda {@link Context} of an invocation outside Lambda (local mode, {@code bridge invoke}, tests): a fresh
 * request id and a remaining time from a supplier, so handlers that budget their work against
 * {@code getRemainingTimeInMillis} behave as they do on Lambda (a fake clock in tests, a real deadline locally).
 */
public final class LocalLambdaContext implements Context {

    private static final Log LOG = Log.get(LocalLambdaContext.class);

    private final String functionName;
    private final int memoryMb;
    private final LongSupplier remainingMillis;
    private final String requestId = UUID.randomUUID().toString();

    public LocalLambdaContext(String functionName, int memoryMb, LongSupplier remainingMillis) {
        this.functionName = functionName;
        this.memoryMb = memoryMb;
        this.remainingMillis = remainingMillis;
    }

    /** A context whose deadline is {@code timeout} from now on the real clock. */
    public static LocalLambdaContext withTimeout(String functionName, Duration timeout, int memoryMb) {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        return new LocalLambdaContext(functionName, memoryMb, () -> (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:local:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remainingMillis.getAsLong()));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                LOG.info(message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
