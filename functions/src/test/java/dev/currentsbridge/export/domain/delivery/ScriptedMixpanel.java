package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.export.port.MixpanelImport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Answers from a script (or a function of the batch); counts calls, reloads and concurrency. */
public final class ScriptedMixpanel implements MixpanelImport {
    final Deque<Object> script = new ArrayDeque<>();
    Function<List<byte[]>, Response> fallback = b -> new Response(200, "{\"code\":200}", Optional.empty());
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final AtomicInteger reloads = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile long holdMillis;

    ScriptedMixpanel then(Object... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    @Override
    public Response send(List<byte[]> events, Duration timeout) throws IOException, InterruptedException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            if (holdMillis > 0) {
                Thread.sleep(holdMillis);
            }
            batchSizes.add(events.size());
            Object next;
            synchronized (script) {
                next = script.poll();
            }
            if (next == null) {
                return fallback.apply(events);
            }
            if (next instanceof IOException e) {
                throw e;
            }
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (Response) next;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void reloadCredentials() {
        reloads.incrementAndGet();
    }
}
