package dev.currentsbridge.standins.time;

import com.amazonaws.services.lambda.runtime.Context;
import dev.currentsbridge.standins.local.LocalLambdaContext;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Lambda invocation's clock for tests: a {@link Context} whose remaining time shrinks with real time plus
 * the time "slept" through {@link #sleeper()}, which never really waits. Backoff tests run in milliseconds
 * yet see the deadline approach as in production.
 */
public final class LambdaTime {

    private volatile long startNanos = System.nanoTime();
    private final AtomicLong sleptMillis = new AtomicLong();
    private final long budgetMillis;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    public LambdaTime(Duration budget) {
        this.budgetMillis = budget.toMillis();
    }

    /** Starts the budget again now (after slow test setup such as building SDK clients). */
    public LambdaTime restart() {
        startNanos = System.nanoTime();
        sleptMillis.set(0);
        sleeps.clear();
        return this;
    }

    public long remainingMillis() {
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000 + sleptMillis.get();
        return budgetMillis - elapsed;
    }

    public Deadline deadline() {
        return this::remainingMillis;
    }

    /** Records the wait and moves the clock forward instead of sleeping. */
    public Sleeper sleeper() {
        return d -> {
            sleeps.add(d);
            sleptMillis.addAndGet(d.toMillis());
        };
    }

    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public Context context() {
        return new LocalLambdaContext("test", 1024, this::remainingMillis);
    }
}
