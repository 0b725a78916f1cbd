package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.domain.delivery.DeliveryStats;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;

/**
 * The export function's EMF metric names, in one place: the dashboards and alarms name them, so they never
 * change. The {@code Function} dimension is {@code FunctionName.EXPORT}, set by the caller's {@link Metrics}.
 */
public final class ExportMetrics {

    public static final String EVENTS_RECEIVED = "EventsReceived";
    public static final String EVENTS_EXPORTED = "EventsExported";
    public static final String EVENTS_SKIPPED = "EventsSkipped";
    public static final String EVENTS_REJECTED = "EventsRejected";
    public static final String EVENTS_RETURNED = "EventsReturned";
    /** Followed by the skip reason: {@code Skipped.<reason>}. */
    public static final String SKIPPED_PREFIX = "Skipped.";
    /** Followed by the reject reason code: {@code Rejected.<reason>}. */
    public static final String REJECTED_PREFIX = "Rejected.";
    public static final String MESSAGES_RECEIVED = "MessagesReceived";
    public static final String MESSAGES_RETURNED = "MessagesReturned";
    /** Messages given up on their last allowed receive (their events are in the rejects queue, retries_exhausted). */
    public static final String MESSAGES_EXHAUSTED = "MessagesExhausted";
    public static final String MIXPANEL_REQUESTS = "MixpanelRequests";
    public static final String MIXPANEL_RETRIES = "MixpanelRetries";
    public static final String MIXPANEL_SPLITS = "MixpanelSplits";
    public static final String MIXPANEL_LATENCY_MAX = "MixpanelLatencyMax";
    public static final String MIXPANEL_LATENCY_AVG = "MixpanelLatencyAvg";

    private ExportMetrics() {
    }

    /** Received, exported, skipped/rejected by reason, returned, exhausted, Mixpanel requests, retries, splits and latency. */
    static void write(Metrics m, EventLedger.Totals t, int returnedMessages, int exhaustedMessages,
                      DeliveryStats stats) {
        m.count(EVENTS_RECEIVED, t.events());
        m.count(EVENTS_EXPORTED, t.get(Outcome.IMPORTED));
        m.count(EVENTS_SKIPPED, t.get(Outcome.SKIPPED));
        m.count(EVENTS_REJECTED, t.get(Outcome.REJECTED_BY_MIXPANEL) + t.get(Outcome.REJECTED_MALFORMED)
                + t.get(Outcome.RETRIES_EXHAUSTED));
        m.count(EVENTS_RETURNED, t.get(Outcome.RETRY));
        t.reasons(Outcome.SKIPPED).forEach((r, n) -> m.count(SKIPPED_PREFIX + r, n));
        t.reasons(Outcome.REJECTED_BY_MIXPANEL).forEach((r, n) -> m.count(REJECTED_PREFIX + r, n));
        t.reasons(Outcome.REJECTED_MALFORMED).forEach((r, n) -> m.count(REJECTED_PREFIX + r, n));
        t.reasons(Outcome.RETRIES_EXHAUSTED).forEach((r, n) -> m.count(REJECTED_PREFIX + r, n));
        m.count(MESSAGES_RECEIVED, t.messages());
        m.count(MESSAGES_RETURNED, returnedMessages);
        m.count(MESSAGES_EXHAUSTED, exhaustedMessages);
        m.count(MIXPANEL_REQUESTS, stats.requests());
        m.count(MIXPANEL_RETRIES, stats.retries());
        m.count(MIXPANEL_SPLITS, stats.splits());
        if (stats.requests() > 0) {
            m.millis(MIXPANEL_LATENCY_MAX, stats.maxLatencyMillis());
            m.millis(MIXPANEL_LATENCY_AVG, stats.averageLatencyMillis());
        }
    }
}
