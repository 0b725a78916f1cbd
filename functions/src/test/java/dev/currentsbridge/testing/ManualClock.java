package dev.currentsbridge.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told (plus 1 ms per reading, so records get distinct times), a {@link Sleeper}
 * that advances it instead of waiting, and Lambda {@link Context}s whose remaining time follows it: fault
 * schedules with long backoffs and deadlines run in microseconds and replay exactly.
 */
public final class ManualClock extends Clock {

    private final AtomicLong millis;
    private final AtomicLong slept = new AtomicLong();

    public ManualClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public ManualClock() {
        this(Instant.parse("2026-11-28T12:00:00Z"));
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    public Instant peek() {
        return Instant.ofEpochMilli(millis.get());
    }

    /** Total time "slept" through {@link #sleeper()}. */
    public Duration slept() {
        return Duration.ofMillis(slept.get());
    }

    public Sleeper sleeper() {
        return d -> {
            slept.addAndGet(d.toMillis());
            advance(d);
        };
    }

    /** A Lambda context with {@code remaining} left from now, on this clock. */
    public Context contextWith(Duration remaining) {
        Instant end = peek().plus(remaining);
        return new Context() {
            @Override
            public int getRemainingTimeInMillis() {
                return (int) Math.max(0, Math.min(Integer.MAX_VALUE, Duration.between(peek(), end).toMillis()));
            }

            @Override
            public String getAwsRequestId() {
                return "test-request";
            }

            @Override
            public String getLogGroupName() {
                return "/aws/lambda/test";
            }

            @Override
            public String getLogStreamName() {
                return "test";
            }

            @Override
            public String getFunctionName() {
                return "test";
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:000000000000:function:test";
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
            public int getMemoryLimitInMB() {
                return 1024;
            }

            @Override
            public LambdaLogger getLogger() {
                return new LambdaLogger() {
                    @Override
                    public void log(String message) {
                    }

                    @Override
                    public void log(byte[] message) {
                    }
                };
            }
        };
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.incrementAndGet());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
