package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What one Mixpanel emulator saw: every request with its answer, every imported event (duplicates included, as
 * raw export shows them) and the distinct ones after Mixpanel's dedup on (event, distinct_id, time, $insert_id).
 */
final class ImportLedger {

    private final List<MixpanelFake.Request> requests = new ArrayList<>();
    private final List<JsonNode> imported = new ArrayList<>();
    private final Set<String> dedupKeys = new LinkedHashSet<>();
    private final List<Consumer<MixpanelFake.Request>> listeners = new CopyOnWriteArrayList<>();
    private long eventsImported;
    private long eventsFailed;
    private long readRequests;

    void onRequest(Consumer<MixpanelFake.Request> listener) {
        listeners.add(listener);
    }

    void request(MixpanelFake.Request r, boolean keep) {
        if (keep) {
            synchronized (this) {
                requests.add(r);
            }
        }
        listeners.forEach(l -> l.accept(r));
    }

    /** A request that passed the request-level checks: its events were read. */
    synchronized void read(int imported, int failed) {
        readRequests++;
        eventsImported += imported;
        eventsFailed += failed;
    }

    synchronized void imported(List<JsonNode> events) {
        for (JsonNode e : events) {
            imported.add(e);
            JsonNode p = e.path("properties");
            dedupKeys.add(e.path("event").asText() + "\u0000" + p.path("distinct_id").asText() + "\u0000"
                    + p.path("time").asText() + "\u0000" + p.path("$insert_id").asText());
        }
    }

    synchronized List<MixpanelFake.Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<JsonNode> imported() {
        return List.copyOf(imported);
    }

    synchronized int unique() {
        return dedupKeys.size();
    }

    synchronized long eventsImported() {
        return eventsImported;
    }

    synchronized long eventsFailed() {
        return eventsFailed;
    }

    synchronized long readRequests() {
        return readRequests;
    }

    synchronized void reset() {
        requests.clear();
        imported.clear();
        dedupKeys.clear();
        eventsImported = 0;
        eventsFailed = 0;
        readRequests = 0;
    }
}
