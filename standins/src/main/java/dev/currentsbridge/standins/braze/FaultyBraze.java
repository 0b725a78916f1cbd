package dev.currentsbridge.standins.braze;

import dev.currentsbridge.standins.faults.FaultSchedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Braze {@code /users/track} with per-request faults from a {@link FaultSchedule}, in two forms over one state
 * model: {@link #port()} (an in-process {@link BrazeUsers}, for thousands of schedules) and {@link #startHttp()}
 * (loopback HTTP for the real {@code BrazeHttpClient}: 429 with Retry-After, 5xx, 401 after a key rotation,
 * responses slower than the client's timeout, connections reset mid-body, per-object errors).
 *
 * <p>It keeps every user's array attributes, and accounts for each attributes object Braze <em>processed</em>:
 * acknowledged (the client got the 2xx) or ambiguous (processed, but the client saw a timeout or reset).
 */
public final class FaultyBraze implements AutoCloseable {

    public enum Fault {
        NONE, THROTTLE_RETRY_AFTER, THROTTLE_NO_HEADER, ERROR_500, ERROR_502, ERROR_503,
        /** No answer within the client's timeout; Braze never processed it. */
        SLOW_BEFORE,
        /** Braze processed it, the answer came after the client's timeout. */
        SLOW_AFTER,
        /** Connection reset before processing. */
        RESET_BEFORE,
        /** Processed; the connection is reset in the middle of the response body. */
        RESET_AFTER,
        /** The REST API key was rotated: 401 until the client presents the new one. */
        UNAUTHORIZED,
        /** 201 with an {@code errors} entry for some objects. */
        PER_OBJECT_ERRORS,
        /** 400 for the whole request. */
        BAD_REQUEST
    }

    /**
     * One attributes object as Braze saw it: user ("external_id:u1"), values added and removed, whether Braze
     * processed it and whether the client got the answer (processed and not acknowledged = ambiguous; neither =
     * the request failed before Braze did anything, but the client cannot know that).
     */
    public record Applied(String user, List<String> add, List<String> remove, boolean processed, boolean acknowledged) {
    }

    /** How long the in-process port pretends a timed-out call took (the HTTP client's timeout). */
    public static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private final FaultSchedule<Fault> schedule;
    private final String attribute;
    private final Set<String> alwaysRejected;
    private final Map<String, Set<String>> users = new ConcurrentHashMap<>();
    private final List<Applied> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Consumer<Duration> timePasses;
    private volatile String validKey;
    private int rotations;
    private int requests;
    private HttpServer server;
    private Duration httpDelay = Duration.ofMillis(600);

    /**
     * @param alwaysRejected users ("external_id:u1") Braze refuses per object on every request
     * @param timePasses     called with the time a slow request costs (advance a test clock)
     */
    public FaultyBraze(FaultSchedule<Fault> schedule, String attribute, Set<String> alwaysRejected, String apiKey,
                       Consumer<Duration> timePasses) {
        this.schedule = schedule;
        this.attribute = attribute;
        this.alwaysRejected = Set.copyOf(alwaysRejected);
        this.validKey = apiKey;
        this.timePasses = timePasses;
    }

    public FaultSchedule<Fault> schedule() {
        return schedule;
    }

    /** The key Braze currently accepts (changes on {@link Fault#UNAUTHORIZED}). */
    public String validKey() {
        return validKey;
    }

    public synchronized int requests() {
        return requests;
    }

    /** All users' values of the attribute: "external_id:u1" -> values (users without values left out). */
    public Map<String, Set<String>> state() {
        Map<String, Set<String>> out = new TreeMap<>();
        users.forEach((u, v) -> {
            if (!v.isEmpty()) {
                out.put(u, new TreeSet<>(v));
            }
        });
        return out;
    }

    public List<Applied> applied() {
        return List.copyOf(applied);
    }

    // ---- in-process port ----------------------------------------------------------------------------------

    public BrazeUsers port() {
        return updates -> {
            if (updates.size() > BrazeUsers.MAX_OBJECTS) {
                return new TrackResult.Misconfigured(400, "Too many attributes objects");
            }
            List<Object[]> objects = new ArrayList<>();
            for (BrazeUsers.AttributeUpdate u : updates) {
                objects.add(new Object[] {BrazeFake.user(u.member()), u.add(), u.remove()});
            }
            Fault f = draw(objects);
            return switch (f) {
                case THROTTLE_RETRY_AFTER -> new TrackResult.Throttled(Duration.ofSeconds(1 + schedule.nextInt(30)));
                case THROTTLE_NO_HEADER -> new TrackResult.Throttled(null);
                case ERROR_500, ERROR_502, ERROR_503 -> {
                    unanswered(objects);
                    yield new TrackResult.Unavailable(status(f), "Internal Server Error");
                }
                case SLOW_BEFORE -> {
                    unanswered(objects);
                    timePasses.accept(CLIENT_TIMEOUT);
                    yield new TrackResult.Unavailable(0, "network error: HttpTimeoutException");
                }
                case SLOW_AFTER -> {
                    process(objects, false, false);
                    timePasses.accept(CLIENT_TIMEOUT);
                    yield new TrackResult.Unavailable(0, "network error: HttpTimeoutException");
                }
                case RESET_BEFORE -> {
                    unanswered(objects);
                    yield new TrackResult.Unavailable(0, "network error: IOException");
                }
                case RESET_AFTER -> {
                    process(objects, false, false);
                    yield new TrackResult.Unavailable(0, "network error: IOException");
                }
                case UNAUTHORIZED -> new TrackResult.Misconfigured(401, "Invalid API key");
                case BAD_REQUEST -> new TrackResult.PayloadRefused("Bad request");
                case PER_OBJECT_ERRORS -> new TrackResult.Ok(process(objects, true, true));
                case NONE -> new TrackResult.Ok(process(objects, false, true));
            };
        };
    }

    private synchronized Fault draw(List<Object[]> objects) {
        requests++;
        Fault f = schedule.next();
        // A whole-request 400 is about the request's shape, so an identical request Braze processed before cannot
        // get one: the fault only hits requests whose users Braze has never written.
        if (f == Fault.BAD_REQUEST && objects.stream().anyMatch(o -> users.containsKey((String) o[0]))) {
            return Fault.NONE;
        }
        return f;
    }

    private static int status(Fault f) {
        return switch (f) {
            case ERROR_500 -> 500;
            case ERROR_502 -> 502;
            default -> 503;
        };
    }

    /** Applies the objects Braze accepts; returns index -> reason for the ones it refuses. */
    @SuppressWarnings("unchecked")
    private synchronized Map<Integer, String> process(List<Object[]> objects, boolean someFail, boolean acknowledged) {
        Map<Integer, String> rejected = new HashMap<>();
        for (int i = 0; i < objects.size(); i++) {
            String user = (String) objects.get(i)[0];
            // Per-object errors name users Braze does not have ("Invalid user"): ones never written before.
            boolean unknownUser = !users.containsKey(user);
            if (alwaysRejected.contains(user) || (someFail && unknownUser && schedule.nextInt(3) == 0)) {
                rejected.put(i, "Invalid user");
                continue;
            }
            List<String> add = (List<String>) objects.get(i)[1];
            List<String> remove = (List<String>) objects.get(i)[2];
            Set<String> values = users.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet());
            values.addAll(add);
            values.removeAll(remove);
            applied.add(new Applied(user, List.copyOf(add), List.copyOf(remove), true, acknowledged));
        }
        return rejected;
    }

    /** Records objects of a request that failed without Braze processing it (5xx, timeout or reset before). */
    @SuppressWarnings("unchecked")
    private void unanswered(List<Object[]> objects) {
        for (Object[] o : objects) {
            applied.add(new Applied((String) o[0], List.copyOf((List<String>) o[1]), List.copyOf((List<String>) o[2]),
                    false, false));
        }
    }

    // ---- loopback HTTP ------------------------------------------------------------------------------------

    /** Starts the HTTP form; a slow answer waits {@code delay} (give the client a shorter timeout than that). */
    public URI startHttp(Duration delay) {
        this.httpDelay = delay;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The new key after a rotation ({@link Fault#UNAUTHORIZED}): what the secret store should hold next. */
    public static String rotatedKey(String base, int rotation) {
        return base + "-r" + rotation;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.equals("Bearer " + validKey)) {
                reply(ex, 401, "{\"message\":\"Invalid API key\"}", Map.of());
                return;
            }
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(raw);
            } catch (IOException e) {
                reply(ex, 400, "{\"message\":\"Invalid JSON\"}", Map.of());
                return;
            }
            JsonNode attributes = body.path("attributes");
            if (!attributes.isArray() || attributes.size() > BrazeUsers.MAX_OBJECTS) {
                reply(ex, 400, "{\"message\":\"Too many attributes objects\"}", Map.of());
                return;
            }
            List<Object[]> objects = new ArrayList<>();
            for (JsonNode o : attributes) {
                String user = Objects.requireNonNullElse(BrazeFake.identify(o), "unidentified");
                List<String> add = new ArrayList<>();
                List<String> remove = new ArrayList<>();
                o.path(attribute).path("add").forEach(v -> add.add(v.asText()));
                o.path(attribute).path("remove").forEach(v -> remove.add(v.asText()));
                objects.add(new Object[] {user, add, remove});
            }
            Fault f = draw(objects);
            switch (f) {
                case THROTTLE_RETRY_AFTER -> reply(ex, 429, "{\"message\":\"Too Many Requests\"}",
                        Map.of("Retry-After", String.valueOf(schedule.nextInt(3))));
                case THROTTLE_NO_HEADER -> reply(ex, 429, "{\"message\":\"Too Many Requests\"}", Map.of());
                case ERROR_500, ERROR_502, ERROR_503 -> {
                    unanswered(objects);
                    reply(ex, status(f), "{\"message\":\"Internal Server Error\"}", Map.of());
                }
                case SLOW_BEFORE -> {
                    unanswered(objects);
                    sleep(httpDelay);
                    reply(ex, 503, "{\"message\":\"late\"}", Map.of());
                }
                case SLOW_AFTER -> {
                    String answer = answer(process(objects, false, false));
                    sleep(httpDelay);
                    reply(ex, 201, answer, Map.of());
                }
                case RESET_BEFORE -> {
                    unanswered(objects);
                    resetMidBody(ex);
                }
                case RESET_AFTER -> {
                    process(objects, false, false);
                    resetMidBody(ex);
                }
                case UNAUTHORIZED -> {
                    synchronized (this) {
                        rotations++;
                        validKey = rotatedKey(validKey.replaceAll("-r\\d+$", ""), rotations);
                    }
                    reply(ex, 401, "{\"message\":\"Invalid API key\"}", Map.of());
                }
                case BAD_REQUEST -> reply(ex, 400, "{\"message\":\"Bad request\"}", Map.of());
                case PER_OBJECT_ERRORS -> reply(ex, 201, answer(process(objects, true, true)), Map.of());
                case NONE -> reply(ex, 201, answer(process(objects, false, true)), Map.of());
            }
        }
    }

    private static String answer(Map<Integer, String> rejected) {
        ObjectNode a = Json.MAPPER.createObjectNode().put("message", "success");
        if (!rejected.isEmpty()) {
            var errors = a.putArray("errors");
            rejected.forEach((i, reason) -> errors.addObject().put("type", reason).put("input_array", "attributes").put("index", i));
        }
        return a.toString();
    }

    /** Headers announcing a body, half of it, then the connection is dropped. */
    private static void resetMidBody(HttpExchange ex) throws IOException {
        byte[] body = "{\"message\":\"success\",\"attributes_processed\":75}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(201, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        ex.close(); // closes the socket before the announced length: the client sees a truncated body
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        headers.forEach(ex.getResponseHeaders()::add);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
