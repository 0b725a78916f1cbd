package dev.currentsbridge.cli.local;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Runs the refresh function as the schedule would and keeps the sums of its reports. */
final class LocalRefresher {
    private final CohortRefreshHandler handler;
    final LocalContext.Factory contexts;
    private final LocalRefresher counts;
    private final Map<String, Long> totals = new TreeMap<>();
    private int runs;
    private int failures;

    LocalRefresher(CohortRefreshHandler handler, LocalContext.Factory contexts) {
        this(handler, contexts, null);
    }

    /** A refresher whose runs are counted in {@code counts} (the same function with another clock). */
    LocalRefresher(CohortRefreshHandler handler, LocalContext.Factory contexts, LocalRefresher counts) {
        this.handler = handler;
        this.contexts = contexts;
        this.counts = counts;
    }

    void runQuietly() {
        if (counts != null) {
            synchronized (counts) {
                counts.record(handler, contexts);
            }
            return;
        }
        synchronized (this) {
            record(handler, contexts);
        }
    }

    private void record(CohortRefreshHandler handler, LocalContext.Factory contexts) {
        ScheduledEvent e = new ScheduledEvent();
        e.setId(UUID.randomUUID().toString());
        e.setDetailType("Scheduled Event");
        e.setSource("aws.events");
        e.setAccount("000000000000");
        e.setRegion("local");
        e.setTime(new org.joda.time.DateTime(org.joda.time.DateTimeZone.UTC));
        e.setResources(List.of("arn:aws:events:local:000000000000:rule/cohort-refresh"));
        e.setDetail(Map.of());
        try {
            Map<String, Object> report = handler.handleRequest(e, contexts.next());
            runs++;
            report.forEach((k, v) -> {
                if (v instanceof Number n) {
                    totals.merge(k, n.longValue(), Long::sum);
                }
            });
        } catch (RuntimeException ex) {
            failures++;
        }
    }

    synchronized int runs() {
        return runs;
    }

    synchronized int failures() {
        return failures;
    }

    synchronized long total(String field) {
        return totals.getOrDefault(field, 0L);
    }
}
