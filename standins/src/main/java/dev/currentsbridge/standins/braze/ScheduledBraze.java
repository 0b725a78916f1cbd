package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.BrazeUsers.TrackResult;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.faults.FaultSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The Braze emulator with per-request faults drawn from a {@link FaultSchedule}, in two forms over the emulator's
 * one state model: {@link #port()} (an in-process {@link BrazeUsers}, for thousands of schedules) and
 * {@link #startHttp} (the emulator's loopback server, for the real {@code BrazeHttpClient}: 429 with Retry-After,
 * 5xx, 401 after a key rotation, answers slower than the client's timeout, connections reset mid-body, per-object
 * errors). What is not a fault goes through the emulator's own {@code /users/track} decisions.
 *
 * <p>It accounts for each attributes object Braze <em>processed</em>: acknowledged (the client got the 2xx) or
 * ambiguous (processed, but the client saw a timeout or reset).
 */
public final class ScheduledBraze implements AutoCloseable {

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
    private final Consumer<Duration> timePasses;
    private final BrazeFake emulator = BrazeFake.detached();
    private final List<Applied> applied = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Fault> drawn = new ThreadLocal<>();
    private volatile String validKey;
    private volatile boolean http;
    private volatile Duration httpDelay = Duration.ofMillis(600);
    private int rotations;
    private int requests;

    /**
     * @param alwaysRejected users ("external_id:u1") Braze refuses per object on every request
     * @param timePasses     called with the time a slow request costs (advance a test clock)
     */
    public ScheduledBraze(FaultSchedule<Fault> schedule, String attribute, Set<String> alwaysRejected, String apiKey,
                          Consumer<Duration> timePasses) {
        this.schedule = schedule;
        this.attribute = attribute;
        this.validKey = apiKey;
        this.timePasses = timePasses;
        emulator.acceptKey(apiKey).faultSource(this::draw).onObject(this::account);
        alwaysRejected.forEach(emulator::rejectUser);
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
        return new TreeMap<>(emulator.state(attribute));
    }

    public List<Applied> applied() {
        return List.copyOf(applied);
    }

    /** The new key after a rotation ({@link Fault#UNAUTHORIZED}): what the secret store should hold next. */
    public static String rotatedKey(String base, int rotation) {
        return base + "-r" + rotation;
    }

    /** Serves the emulator on loopback; a slow answer waits {@code delay} (give the client a shorter timeout). */
    public URI startHttp(Duration delay) {
        this.httpDelay = delay;
        this.http = true;
        return emulator.listen(0);
    }

    // ---- the schedule's draw, as the emulator's faults ------------------------------------------------------

    private BrazeFake.Fault draw(JsonNode body) {
        Fault f;
        synchronized (this) {
            requests++;
            f = schedule.next();
            // A whole-request 400 is about the request's shape, so an identical request Braze processed before
            // cannot get one: the fault only hits requests whose users Braze has never written.
            if (f == Fault.BAD_REQUEST) {
                for (JsonNode o : body.path("attributes")) {
                    String user = TrackRules.identify(o);
                    if (user != null && emulator.knows(user)) {
                        f = Fault.NONE;
                        break;
                    }
                }
            }
        }
        drawn.set(f);
        return switch (f) {
            case THROTTLE_RETRY_AFTER -> new BrazeFake.Fault.Throttle(
                    String.valueOf(http ? schedule.nextInt(3) : 1 + schedule.nextInt(30)));
            case THROTTLE_NO_HEADER -> new BrazeFake.Fault.Throttle(null);
            case ERROR_500 -> new BrazeFake.Fault.Status(500);
            case ERROR_502 -> new BrazeFake.Fault.Status(502);
            case ERROR_503 -> new BrazeFake.Fault.Status(503);
            case SLOW_BEFORE -> new BrazeFake.Fault.Slow(httpDelay, false);
            case SLOW_AFTER -> new BrazeFake.Fault.Slow(httpDelay, true);
            case RESET_BEFORE -> new BrazeFake.Fault.Reset(false);
            case RESET_AFTER -> new BrazeFake.Fault.Reset(true);
            case UNAUTHORIZED -> {
                if (http) {
                    rotate();
                }
                yield new BrazeFake.Fault.Status(401);
            }
            case BAD_REQUEST -> new BrazeFake.Fault.Status(400);
            // Per-object errors name users Braze does not have ("Invalid user"): ones never written before.
            case PER_OBJECT_ERRORS -> new BrazeFake.Fault.RefuseObjects(
                    user -> !emulator.knows(user) && schedule.nextInt(3) == 0);
            case NONE -> null;
        };
    }

    private synchronized void rotate() {
        rotations++;
        String old = validKey;
        validKey = rotatedKey(old.replaceAll("-r\\d+$", ""), rotations);
        emulator.revokeKey(old).acceptKey(validKey);
    }

    private void account(TrackEndpoint.ObjectOutcome o) {
        List<String> add = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        o.object().path(attribute).path("add").forEach(v -> add.add(v.asText()));
        o.object().path(attribute).path("remove").forEach(v -> remove.add(v.asText()));
        applied.add(new Applied(o.user(), List.copyOf(add), List.copyOf(remove), o.processed(), o.acknowledged()));
    }

    // ---- in-process port ------------------------------------------------------------------------------------

    public BrazeUsers port() {
        return updates -> {
            drawn.set(Fault.NONE);
            TrackEndpoint.Answer a;
            try {
                a = emulator.track().process("Bearer " + validKey, body(updates));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Fault f = drawn.get();
            return switch (f) {
                case SLOW_BEFORE, SLOW_AFTER -> {
                    timePasses.accept(CLIENT_TIMEOUT);
                    yield new TrackResult.Unavailable(0, "network error: HttpTimeoutException");
                }
                case RESET_BEFORE, RESET_AFTER -> new TrackResult.Unavailable(0, "network error: IOException");
                default -> result(a);
            };
        };
    }

    private static TrackResult result(TrackEndpoint.Answer a) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(a.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (a.status() / 100 == 2) {
            Map<Integer, String> rejected = new LinkedHashMap<>();
            body.path("errors").forEach(e -> rejected.put(e.path("index").asInt(), e.path("type").asText()));
            return new TrackResult.Ok(rejected);
        }
        if (a.status() == 429) {
            String retryAfter = a.headers().get("Retry-After");
            return new TrackResult.Throttled(retryAfter == null ? null : Duration.ofSeconds(Long.parseLong(retryAfter)));
        }
        // The cohort client's classification (BrazeHttpClient.interpret): only a 400 about the payload speaks about
        // users; 5xx is Braze unavailable; every other answer (401, 403, 404, 413, a 400 about the object count) is a
        // configuration error.
        String message = body.path("message").asText();
        if (a.status() >= 500) {
            return new TrackResult.Unavailable(a.status(), message);
        }
        if (a.status() == 400 && !message.toLowerCase(java.util.Locale.ROOT).contains("objects")) {
            return new TrackResult.PayloadRefused(message);
        }
        return new TrackResult.Misconfigured(a.status(), message);
    }

    /** What the cohort client sends for these updates: one attributes object each. */
    private static byte[] body(List<BrazeUsers.AttributeUpdate> updates) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode attributes = root.putArray("attributes");
        for (BrazeUsers.AttributeUpdate u : updates) {
            ObjectNode o = attributes.addObject();
            MemberRef m = u.member();
            if (m.kind() == IdKind.USER_ALIAS) {
                o.putObject("user_alias").put("alias_name", m.aliasName()).put("alias_label", m.aliasLabel());
            } else {
                o.put(m.kind().brazeField(), m.id());
            }
            ObjectNode change = o.putObject(u.attribute());
            u.add().forEach(change.putArray("add")::add);
            u.remove().forEach(change.putArray("remove")::add);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        emulator.close();
    }
}
