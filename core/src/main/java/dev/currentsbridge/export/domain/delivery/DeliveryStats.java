package dev.currentsbridge.export.domain.delivery;

import java.util.concurrent.atomic.AtomicLong;

/** Request-level counters of one invocation (event-level counts live in the ledger). */
public final class DeliveryStats {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong splits = new AtomicLong();
    private final AtomicLong maxLatencyMillis = new AtomicLong();
    private final AtomicLong totalLatencyMillis = new AtomicLong();

    void request(long latencyMillis) {
        requests.incrementAndGet();
        totalLatencyMillis.addAndGet(latencyMillis);
        maxLatencyMillis.accumulateAndGet(latencyMillis, Math::max);
    }

    void retry() {
        retries.incrementAndGet();
    }

    void split() {
        splits.incrementAndGet();
    }

    public long requests() {
        return requests.get();
    }

    public long retries() {
        return retries.get();
    }

    public long splits() {
        return splits.get();
    }

    public long maxLatencyMillis() {
        return maxLatencyMillis.get();
    }

    public long averageLatencyMillis() {
        long n = requests.get();
        return n == 0 ? 0 : totalLatencyMillis.get() / n;
    }
}
