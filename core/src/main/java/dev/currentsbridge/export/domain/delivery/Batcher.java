package dev.currentsbridge.export.domain.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs events into {@code /import} batches within {@link BatchLimits}, in arrival order, handing each full
 * batch to a consumer as soon as it is full, so that a 100,000-event file never sits in memory whole.
 * Not thread-safe: one per producer.
 */
public final class Batcher {

    private final BatchLimits limits;
    private final Consumer<List<OutgoingEvent>> onBatch;
    private List<OutgoingEvent> current = new ArrayList<>();
    private long currentPayloadBytes;

    public Batcher(BatchLimits limits, Consumer<List<OutgoingEvent>> onBatch) {
        this.limits = limits;
        this.onBatch = onBatch;
    }

    /** Adds an event; the caller has already checked {@link #fits(OutgoingEvent)}. */
    public void add(OutgoingEvent e) {
        if (!fits(e)) {
            throw new IllegalArgumentException("event exceeds the single-event limit");
        }
        if (!current.isEmpty() && (current.size() >= limits.maxEvents()
                || BatchLimits.arrayBytes(current.size() + 1, currentPayloadBytes + e.json().length) > limits.maxBodyBytes())) {
            flush();
        }
        current.add(e);
        currentPayloadBytes += e.json().length;
        if (current.size() >= limits.maxEvents()) {
            flush();
        }
    }

    /** True when the event can travel at all (under the single-event and body limits). */
    public boolean fits(OutgoingEvent e) {
        return e.json().length <= limits.maxEventBytes()
                && BatchLimits.arrayBytes(1, e.json().length) <= limits.maxBodyBytes();
    }

    /** Hands over the partial batch, if any. */
    public void flush() {
        if (current.isEmpty()) {
            return;
        }
        List<OutgoingEvent> batch = current;
        current = new ArrayList<>();
        currentPayloadBytes = 0;
        onBatch.accept(batch);
    }

    /** Splits everything into batches at once (tests, small inputs). */
    public static List<List<OutgoingEvent>> pack(List<OutgoingEvent> events, BatchLimits limits) {
        List<List<OutgoingEvent>> out = new ArrayList<>();
        Batcher b = new Batcher(limits, out::add);
        events.forEach(b::add);
        b.flush();
        return out;
    }

    /** The two halves of a batch Mixpanel found too large. */
    public static List<List<OutgoingEvent>> halves(List<OutgoingEvent> batch) {
        if (batch.size() < 2) {
            throw new IllegalArgumentException("cannot split a batch of " + batch.size());
        }
        int mid = batch.size() / 2;
        return List.of(List.copyOf(batch.subList(0, mid)), List.copyOf(batch.subList(mid, batch.size())));
    }
}
