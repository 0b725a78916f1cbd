package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.standins.http.HttpRoute;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RouteTable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one Braze emulator: tests, local mode and the dry runs talk to it. It serves {@code POST /users/track}
 * ({@link TrackRoute}) as Braze documents it: Bearer REST API key (401; 403 without the permission), at most
 * {@link BrazeUsers#MAX_OBJECTS} objects per request and one identifier per attributes object ({@link TrackRules}),
 * the rate limit and its {@code X-RateLimit-*} headers, the documented bodies ({@link TrackBodies}). It keeps every
 * user's array attributes so tests can assert the resulting Braze state, and records every request; options write
 * accepted bodies to files ({@link #recordTo}) and inject faults ({@link #throttleNext}, {@link #failNext},
 * {@link #enqueue}, or a schedule's draw: {@link ScheduledBraze}). Further endpoints are {@link HttpRoute}s
 * {@linkplain #mount mounted} on the same server.
 *
 * <p>Users are named as attributes objects name them: {@code external_id}, {@code email}, {@code braze_id},
 * {@code phone} (keys such as {@code "external_id:u1"}) or a user alias (key {@link #alias(String, String)}).
 */
public final class BrazeFake implements AutoCloseable {

    public static final int MAX_OBJECTS = BrazeUsers.MAX_OBJECTS;
    public static final String NO_IDENTIFIER = TrackRules.NO_IDENTIFIER;
    public static final String MALFORMED_ALIAS = TrackRules.MALFORMED_ALIAS;

    /** One request as received, with the status answered. */
    public record Recorded(String authorization, JsonNode body, int status) {
        public int objects() {
            return body == null ? 0 : body.path("attributes").size();
        }
    }

    /** What a request that passed the key and shape checks gets instead of (or on top of) normal processing. */
    public sealed interface Fault {
        /** 429, with {@code Retry-After} when not null. */
        record Throttle(String retryAfter) implements Fault {
        }

        /** This status with Braze's documented body (a 5xx: Braze did nothing with the objects). */
        record Status(int status) implements Fault {
        }

        /** The answer comes after {@code delay}: a 201 if {@code processed}, else a 503 for a request never read. */
        record Slow(Duration delay, boolean processed) implements Fault {
        }

        /** The connection drops in the middle of the answer, after processing or before. */
        record Reset(boolean processed) implements Fault {
        }

        /** Processed, but objects naming these users get an "Invalid user" error. */
        record RefuseObjects(Predicate<String> users) implements Fault {
        }
    }

    private final TrackEndpoint endpoint = new TrackEndpoint();
    private final RouteTable routes = new RouteTable(TrackBodies::documented);
    private final AtomicInteger throttleNext = new AtomicInteger();
    private volatile String retryAfter = "1";
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile int failStatus = 500;
    private volatile Function<JsonNode, Fault> scheduled = body -> null;
    private volatile LoopbackHttpServer server;

    private BrazeFake(Integer port) {
        mount(new TrackRoute(endpoint));
        endpoint.faultSource = this::nextFault;
        if (port != null) {
            listen(port);
        }
    }

    /** Starts serving a detached emulator on {@code port} (0: a free one). */
    synchronized URI listen(int port) {
        if (server == null) {
            server = new LoopbackHttpServer("Braze emulator", port, routes);
        }
        return server.uri();
    }

    /** On a free loopback port, accepting {@code apiKey}. */
    public static BrazeFake start(String apiKey) {
        return new BrazeFake(0).acceptKey(apiKey);
    }

    /** On {@code port} (0: a free one), accepting no key until told; a taken port throws UncheckedIOException. */
    public static BrazeFake start(int port) {
        return new BrazeFake(port);
    }

    /** Without a server of its own (the in-process form of {@link ScheduledBraze}). */
    static BrazeFake detached() {
        return new BrazeFake(null);
    }

    public URI endpoint() {
        LoopbackHttpServer server = this.server;
        if (server == null) {
            throw new IllegalStateException("a detached emulator has no server");
        }
        return server.uri();
    }

    /** Serves one more endpoint on the same server. */
    public BrazeFake mount(HttpRoute route) {
        routes.mount(route);
        return this;
    }

    TrackEndpoint track() {
        return endpoint;
    }

    private Fault nextFault(JsonNode body) {
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new Fault.Throttle(retryAfter);
        }
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new Fault.Status(failStatus);
        }
        return scheduled.apply(body);
    }

    // ---- configuration -------------------------------------------------------------------------------

    /** The next {@code n} requests get 429 with {@code Retry-After: retryAfterHeader} (null: no header). */
    public BrazeFake throttleNext(int n, String retryAfterHeader) {
        retryAfter = retryAfterHeader;
        throttleNext.set(n);
        return this;
    }

    /** The next {@code n} requests get {@code status} (0: none). */
    public BrazeFake failNext(int n, int status) {
        failStatus = status;
        failNext.set(n);
        return this;
    }

    /** Faults for the next requests, one per request, in order (before {@link #throttleNext}/{@link #failNext}). */
    public BrazeFake enqueue(Fault... next) {
        endpoint.faults.enqueue(next);
        return this;
    }

    /** A fault drawn for each request from its body (after the scripted ones), e.g. a {@link ScheduledBraze}'s. */
    BrazeFake faultSource(Function<JsonNode, Fault> source) {
        scheduled = source;
        return this;
    }

    void onObject(java.util.function.Consumer<TrackEndpoint.ObjectOutcome> listener) {
        endpoint.onObject(listener);
    }

    /** The key of a user alias in {@link #values}, {@link #state} and {@link #rejectUser} (unambiguous for any text). */
    public static String alias(String aliasName, String aliasLabel) {
        return TrackRules.alias(aliasName, aliasLabel);
    }

    /** The key of the user a member names, as an attributes object written for it names it. */
    public static String user(MemberRef member) {
        return member.kind() == IdKind.USER_ALIAS ? alias(member.aliasName(), member.aliasLabel())
                : member.kind().brazeField() + ":" + member.id();
    }

    /** The key of the user an attributes object names, or null when it names none (or a malformed alias). */
    public static String identify(JsonNode o) {
        return TrackRules.identify(o);
    }

    /** Objects naming this user ({@code "external_id:u1"}, {@code "email:a@b"}, {@link #alias}) are rejected per object. */
    public BrazeFake rejectUser(String idFieldColonId) {
        endpoint.users.reject(idFieldColonId);
        return this;
    }

    public BrazeFake acceptKey(String key) {
        endpoint.validKeys.add(key);
        return this;
    }

    /** Any non-empty key (dry runs cannot know the real one). */
    public BrazeFake acceptAnyKey() {
        endpoint.anyKey = true;
        return this;
    }

    /** A key Braze knows but without the {@code users.track} permission: 403. */
    public BrazeFake acceptKeyWithoutPermission(String key) {
        endpoint.keysWithoutPermission.add(key);
        return this;
    }

    public BrazeFake revokeKey(String key) {
        endpoint.validKeys.remove(key);
        endpoint.keysWithoutPermission.remove(key);
        return this;
    }

    /** Requests per 3-second window before Braze answers 429 (Braze's: 3,000). */
    public BrazeFake rateLimit(int requestsPerWindow) {
        endpoint.rateLimit.limit(requestsPerWindow);
        return this;
    }

    /** The clock of the rate-limit window. */
    public BrazeFake clock(Supplier<Instant> clock) {
        endpoint.rateLimit.clock(clock);
        return this;
    }

    /** Write every body that passes the request-level checks to {@code dir}, byte for byte ({@link TrackRecorder}). */
    public BrazeFake recordTo(Path dir) {
        endpoint.recorder = new TrackRecorder(dir);
        return this;
    }

    /** Keep counters and users' attributes only, not the requests (a long dry run must not hold them all). */
    public BrazeFake keepNoHistory() {
        endpoint.noHistory = true;
        return this;
    }

    /**
     * Counters only: no requests and no users' attributes are kept, only how many requests, objects and array
     * values added and removed it processed (a benchmark's heap must stay the bridge's). {@link #state} is empty.
     */
    public BrazeFake countOnly() {
        endpoint.noHistory = true;
        endpoint.users.countOnly = true;
        return this;
    }

    // ---- observations --------------------------------------------------------------------------------

    public List<Recorded> requests() {
        return List.copyOf(endpoint.requests);
    }

    /** Requests answered 2xx. */
    public List<Recorded> accepted() {
        return endpoint.requests.stream().filter(r -> r.status() / 100 == 2).toList();
    }

    /** Requests answered 2xx (counted even with {@link #keepNoHistory}). */
    public long acceptedRequests() {
        return endpoint.acceptedRequests.get();
    }

    /** Attributes objects processed (the sum of {@code attributes_processed} answered). */
    public long attributesProcessed() {
        return endpoint.attributesProcessed.get();
    }

    /** Array attribute values added by the objects processed (all attributes; counted even with {@link #countOnly}). */
    public long arrayAdds() {
        return endpoint.users.arrayAdds.get();
    }

    /** Array attribute values removed by the objects processed (all attributes). */
    public long arrayRemoves() {
        return endpoint.users.arrayRemoves.get();
    }

    /** Where {@link #recordTo} writes; null when not recording. */
    public Path dir() {
        TrackRecorder r = endpoint.recorder;
        return r == null ? null : r.dir();
    }

    /** The user's current values of an array attribute, as Braze would hold them. */
    public Set<String> values(String idFieldColonId, String attribute) {
        return endpoint.users.values(idFieldColonId, attribute);
    }

    /** All users with a non-empty value set of the attribute: "external_id:u1" -> values. */
    public Map<String, Set<String>> state(String attribute) {
        return endpoint.users.state(attribute);
    }

    /** True once Braze processed an object naming the user. */
    public boolean knows(String user) {
        return endpoint.users.knows(user);
    }

    public void reset() {
        endpoint.reset();
        throttleNext.set(0);
        failNext.set(0);
    }

    @Override
    public void close() {
        LoopbackHttpServer server = this.server;
        if (server != null) {
            server.close();
        }
    }
}
