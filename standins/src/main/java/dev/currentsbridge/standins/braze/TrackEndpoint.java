package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.faults.FaultQueue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Braze's {@code /users/track} decisions for one request already off the wire: the REST API key (401; 403 for a
 * key without the {@code users.track} permission), the request's shape and size ({@link TrackRules}: 400), an
 * injected fault, the rate limit (429 with the {@code X-RateLimit-*} headers), then each attributes object
 * (processed, or an {@code errors} entry). Shared by the HTTP route and the in-process port.
 */
final class TrackEndpoint {

    record Answer(int status, String body, Map<String, String> headers, BrazeFake.Fault presentation) {
    }

    /**
     * An attributes object Braze processed ({@code acknowledged}: the client got the answer), or one of a request
     * that failed before Braze did anything ({@code processed} false).
     */
    record ObjectOutcome(String user, JsonNode object, boolean processed, boolean acknowledged) {
    }

    /** Faults a test lined up for the next requests that pass the key and shape checks. */
    final FaultQueue<BrazeFake.Fault> faults = new FaultQueue<>();
    final Set<String> validKeys = ConcurrentHashMap.newKeySet();
    final Set<String> keysWithoutPermission = ConcurrentHashMap.newKeySet();
    volatile boolean anyKey;
    volatile TrackRecorder recorder;
    final BrazeUsersState users = new BrazeUsersState();
    final RateLimitWindow rateLimit = new RateLimitWindow();
    final List<BrazeFake.Recorded> requests = new CopyOnWriteArrayList<>();
    final AtomicLong attributesProcessed = new AtomicLong();
    final AtomicLong acceptedRequests = new AtomicLong();
    /** Counters and users only, no requests kept (long dry runs). */
    volatile boolean noHistory;
    private final List<Consumer<ObjectOutcome>> outcomeListeners = new CopyOnWriteArrayList<>();
    /** Faults decided from the request body, after the scripted queue (a schedule's draw). */
    volatile Function<JsonNode, BrazeFake.Fault> faultSource = body -> null;

    void onObject(Consumer<ObjectOutcome> listener) {
        outcomeListeners.add(listener);
    }

    Answer process(String authorization, byte[] raw) throws IOException {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            body = null;
        }
        String key = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        if (key.isEmpty() || !(anyKey || validKeys.contains(key) || keysWithoutPermission.contains(key))) {
            return answer(authorization, body, 401, TrackBodies.documented(401), Map.of(), null);
        }
        if (keysWithoutPermission.contains(key)) {
            return answer(authorization, body, 403, TrackBodies.documented(403), Map.of(), null);
        }
        if (body == null) {
            return answer(authorization, null, 400, TrackBodies.message("Invalid JSON in request body"), Map.of(), null);
        }
        String problem = TrackRules.requestProblem(body);
        if (problem != null) {
            return answer(authorization, body, 400, TrackBodies.message(problem), Map.of(), null);
        }
        BrazeFake.Fault queued = faults.poll();
        BrazeFake.Fault fault = queued != null ? queued : faultSource.apply(body);
        if (fault != null) {
            Answer faulted = faulted(authorization, raw, body, fault);
            if (faulted != null) {
                return faulted;
            }
        }
        RateLimitWindow.Verdict v = rateLimit.take();
        Map<String, String> headers = Map.of("X-RateLimit-Limit", String.valueOf(v.limit()),
                "X-RateLimit-Remaining", String.valueOf(v.remaining()),
                "X-RateLimit-Reset", String.valueOf(v.resetEpochSeconds()));
        if (!v.allowed()) {
            return answer(authorization, body, 429, TrackBodies.documented(429), headers, null);
        }
        return processed(authorization, raw, body, fault, headers);
    }

    /** The answer a fault makes, or null when the request is processed (perhaps with a late or cut answer). */
    private Answer faulted(String authorization, byte[] raw, JsonNode body, BrazeFake.Fault fault) throws IOException {
        return switch (fault) {
            case BrazeFake.Fault.Throttle t -> answer(authorization, body, 429, TrackBodies.documented(429),
                    t.retryAfter() == null ? Map.of() : Map.of("Retry-After", t.retryAfter()), null);
            case BrazeFake.Fault.Status s -> {
                if (s.status() >= 500) {
                    unanswered(body);
                }
                yield answer(authorization, body, s.status(), TrackBodies.documented(s.status()), Map.of(), null);
            }
            case BrazeFake.Fault.Slow s when !s.processed() -> {
                unanswered(body);
                yield answer(authorization, body, 503, TrackBodies.message("late"), Map.of(), s);
            }
            case BrazeFake.Fault.Reset r when !r.processed() -> {
                unanswered(body);
                yield answer(authorization, body, 201, TrackBodies.success(0, Map.of()), Map.of(), r);
            }
            default -> null;
        };
    }

    private Answer processed(String authorization, byte[] raw, JsonNode body, BrazeFake.Fault fault,
                             Map<String, String> headers) throws IOException {
        TrackRecorder r = recorder;
        if (r != null) {
            r.record(raw);
        }
        boolean acknowledged = !(fault instanceof BrazeFake.Fault.Slow || fault instanceof BrazeFake.Fault.Reset);
        Map<Integer, String> errors = new LinkedHashMap<>();
        JsonNode attributes = body.path("attributes");
        int processed = 0;
        for (int i = 0; i < attributes.size(); i++) {
            JsonNode o = attributes.get(i);
            String problem = TrackRules.objectProblem(o);
            String user = TrackRules.identify(o);
            if (problem == null && (users.rejected(user)
                    || fault instanceof BrazeFake.Fault.RefuseObjects refuse && refuse.users().test(user))) {
                problem = "Invalid user";
            }
            if (problem != null) {
                errors.put(i, problem);
                continue;
            }
            users.apply(user, o);
            processed++;
            for (Consumer<ObjectOutcome> l : outcomeListeners) {
                l.accept(new ObjectOutcome(user, o, true, acknowledged));
            }
        }
        attributesProcessed.addAndGet(processed);
        return answer(authorization, body, 201, TrackBodies.success(processed, errors), headers, fault);
    }

    /** The objects of a request Braze failed before processing (the client cannot know it did nothing). */
    private void unanswered(JsonNode body) {
        for (JsonNode o : body.path("attributes")) {
            String user = TrackRules.identify(o);
            for (Consumer<ObjectOutcome> l : outcomeListeners) {
                l.accept(new ObjectOutcome(user == null ? "unidentified" : user, o, false, false));
            }
        }
    }

    private Answer answer(String authorization, JsonNode body, int status, String text, Map<String, String> headers,
                          BrazeFake.Fault presentation) {
        if (status / 100 == 2) {
            acceptedRequests.incrementAndGet();
        }
        if (!noHistory) {
            requests.add(new BrazeFake.Recorded(authorization, body, status));
        }
        return new Answer(status, text, headers, presentation);
    }

    void reset() {
        requests.clear();
        users.reset();
        rateLimit.reset();
        attributesProcessed.set(0);
        acceptedRequests.set(0);
        faults.clear();
    }
}
