package dev.currentsbridge.standins.faults;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Faults a test lines up for an emulator's next requests, one per request, in order (the scripted counterpart of
 * the random {@link FaultSchedule}). Thread-safe.
 *
 * @param <F> an emulator's fault type
 */
public final class FaultQueue<F> {

    private final Deque<F> faults = new ArrayDeque<>();

    @SafeVarargs
    public final synchronized void enqueue(F... next) {
        faults.addAll(List.of(next));
    }

    /** The next request's fault, or null for "answer normally". */
    public synchronized F poll() {
        return faults.poll();
    }

    public synchronized int pending() {
        return faults.size();
    }

    public synchronized void clear() {
        faults.clear();
    }
}
