package dev.currentsbridge.standins.mixpanel;

import dev.currentsbridge.standins.faults.FaultSchedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.MixpanelImport;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Mixpanel {@code /import} as an in-process {@link MixpanelImport} with per-request faults from a {@link FaultSchedule},
 * for thousands of export schedules: 429 (with Retry-After), 500/502/503, timeouts and connection resets before or
 * after Mixpanel imported the batch, a 401 in the middle of a run (rotated credentials: the client's re-read fixes
 * it), the credentials secret unreadable (Secrets Manager error), 413 for a multi-event request. Validation is
 * deterministic, as Mixpanel's is: events whose {@code $insert_id} is {@linkplain #invalid invalid} come back in
 * {@code failed_records} (partial 400) every time. Records every imported copy (duplicates included).
 */
public final class FaultyMixpanel implements MixpanelImport {

    public enum Fault {
        NONE, THROTTLE, ERROR_500, ERROR_502, ERROR_503, SLOW_BEFORE, SLOW_AFTER, RESET_BEFORE, RESET_AFTER,
        UNAUTHORIZED, CREDENTIALS_UNAVAILABLE, TOO_LARGE
    }

    private final FaultSchedule<Fault> schedule;
    private final Consumer<Duration> timePasses;
    private final int invalidEvery;
    private final List<JsonNode> imported = new ArrayList<>();
    private int requests;
    private int reloads;

    /**
     * @param invalidEvery one event in about this many is refused by Mixpanel's validation (0: none)
     * @param timePasses   advances the test clock by a timed-out request's timeout
     */
    public FaultyMixpanel(FaultSchedule<Fault> schedule, int invalidEvery, Consumer<Duration> timePasses) {
        this.schedule = schedule;
        this.invalidEvery = invalidEvery;
        this.timePasses = timePasses;
    }

    public FaultSchedule<Fault> schedule() {
        return schedule;
    }

    /** Mixpanel refuses this event on every request (deterministic, like a real validation error). */
    public boolean invalid(String insertId) {
        return invalidEvery > 0 && Math.floorMod(insertId.hashCode(), invalidEvery) == 0;
    }

    public synchronized List<JsonNode> imported() {
        return List.copyOf(imported);
    }

    public synchronized int requests() {
        return requests;
    }

    public synchronized int reloads() {
        return reloads;
    }

    @Override
    public Response send(List<byte[]> events, Duration timeout) throws IOException {
        Fault f;
        synchronized (this) {
            requests++;
            f = schedule.next();
        }
        return switch (f) {
            case THROTTLE -> new Response(429, MixpanelFake.documentedBody(429),
                    Optional.of(Duration.ofSeconds(schedule.nextInt(6))));
            case ERROR_500 -> new Response(500, MixpanelFake.documentedBody(500), Optional.empty());
            case ERROR_502 -> new Response(502, MixpanelFake.documentedBody(502), Optional.empty());
            case ERROR_503 -> new Response(503, MixpanelFake.documentedBody(503), Optional.empty());
            case SLOW_BEFORE -> {
                timePasses.accept(timeout);
                throw new HttpTimeoutException("request timed out");
            }
            case SLOW_AFTER -> {
                process(events);
                timePasses.accept(timeout);
                throw new HttpTimeoutException("request timed out");
            }
            case RESET_BEFORE -> throw new IOException("Connection reset");
            case RESET_AFTER -> {
                process(events);
                throw new IOException("Connection reset: response body cut short");
            }
            case UNAUTHORIZED -> new Response(401, MixpanelFake.documentedBody(401), Optional.empty());
            case CREDENTIALS_UNAVAILABLE -> throw new CredentialsException(
                    "cannot read secret mixpanel: ThrottlingException", true, null);
            case TOO_LARGE -> events.size() > 1
                    ? new Response(413, MixpanelFake.documentedBody(413), Optional.empty()) : process(events);
            case NONE -> process(events);
        };
    }

    private synchronized Response process(List<byte[]> events) throws IOException {
        ArrayNode failed = Json.MAPPER.createArrayNode();
        int ok = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = Json.MAPPER.readTree(events.get(i));
            String insertId = e.path("properties").path("$insert_id").asText();
            if (invalid(insertId)) {
                failed.addObject().put("index", i).put("insert_id", insertId).put("field", "properties.time")
                        .put("message", "'properties.time' is invalid");
            } else {
                imported.add(e);
                ok++;
            }
        }
        if (failed.isEmpty()) {
            return new Response(200, "{\"code\":200,\"num_records_imported\":" + ok + ",\"status\":\"OK\"}", Optional.empty());
        }
        ObjectNode bad = Json.MAPPER.createObjectNode().put("code", 400)
                .put("error", "some data points in the request failed validation").put("status", "Bad Request")
                .put("num_records_imported", ok);
        bad.set("failed_records", failed);
        return new Response(400, bad.toString(), Optional.empty());
    }

    @Override
    public synchronized void reloadCredentials() {
        reloads++;
    }
}
