package dev.currentsbridge.common.api;

import dev.currentsbridge.common.log.Metrics;

/** The per-invocation counters every API function emits: {@code Requests} and {@code Status2xx}/{@code 4xx}/{@code 5xx}. */
public final class StatusMetrics {

    private StatusMetrics() {
    }

    public static void countReply(Metrics metrics, int status) {
        metrics.count("Requests", 1);
        metrics.count("Status" + status / 100 + "xx", 1);
    }
}
