package dev.currentsbridge.standins.mixpanel;

import dev.currentsbridge.standins.http.LoopbackHttpServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.common.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Mixpanel's {@code POST /import} on loopback, enforcing what the API documents (spec "Import Events API"):
 * HTTP Basic auth (service account with {@code project_id}, API secret, or project token), {@code strict=1},
 * gzip bodies, at most 2000 events and 10 MB uncompressed per request, {@code event}/{@code properties}
 * only, {@code time} after 1971 and at most 1 h ahead, a real {@code distinct_id}, a valid {@code $insert_id},
 * < 255 properties, nesting depth <= 3, arrays < 255. It answers with the documented bodies, records what
 * it imported (deduplicated as Mixpanel does, on event, distinct_id, time and $insert_id), and can be told
 * to answer the next requests with 429/5xx/413/401/partial-400/slow responses ({@link #enqueue}).
 */
public final class MixpanelFake implements AutoCloseable {

    public static final long MAX_BODY_BYTES = 10L * 1024 * 1024;
    public static final int MAX_EVENTS = 2000;

    private static final Pattern INSERT_ID = Pattern.compile("[A-Za-z0-9-]{1,36}");
    private static final Set<String> PLACEHOLDER_IDS = Set.of("00000000-0000-0000-0000-000000000000", "anon",
            "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1", "true",
            "false", "[]", "{}");
    private static final long EARLIEST_MILLIS = Instant.parse("1971-01-01T00:00:00Z").toEpochMilli();

    /** What the next request gets instead of (or before) normal processing. */
    public sealed interface Fault {
        /** Answer this status with Mixpanel's documented body for it; optional Retry-After seconds. */
        record Status(int status, Integer retryAfterSeconds) implements Fault {
        }

        /** Answer 400 "request body too large" (the body-size error seen in the wild). */
        record BodyTooLarge400() implements Fault {
        }

        /** Process normally but also fail the records at these indexes (partial 400). */
        record FailIndexes(int[] indexes) implements Fault {
        }

        /** Wait, then process normally. */
        record Slow(Duration delay) implements Fault {
        }

        static Fault status(int status) {
            return new Status(status, null);
        }

        static Fault rateLimited(int retryAfterSeconds) {
            return new Status(429, retryAfterSeconds);
        }

        static Fault failIndexes(int... indexes) {
            return new FailIndexes(indexes);
        }

        static Fault slow(Duration d) {
            return new Slow(d);
        }

        static Fault bodyTooLarge400() {
            return new BodyTooLarge400();
        }
    }

    /** One request as the fake saw it. */
    public record Request(int status, int events, long uncompressedBytes, boolean gzip, String authUser,
                          String projectId) {
    }

    private final LoopbackHttpServer server;
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<JsonNode> imported = new ArrayList<>();
    private final Set<String> dedupKeys = new LinkedHashSet<>();
    private final Map<String, String> acceptedUsers = new HashMap<>();
    private volatile long maxBodyBytes = MAX_BODY_BYTES;
    private volatile int maxEvents = MAX_EVENTS;
    private volatile boolean requireGzip = true;
    private volatile String failedRecordIdKey = "insert_id";
    private volatile Supplier<Instant> clock = Instant::now;

    private MixpanelFake() {
        server = new LoopbackHttpServer(this::handle);
    }

    public static MixpanelFake start() {
        return new MixpanelFake();
    }

    /** Base URL to configure as {@code MIXPANEL_API_URL}. */
    public String baseUrl() {
        return server.uri().toString();
    }

    public URI importUri() {
        return URI.create(baseUrl() + "/import");
    }

    // ---- configuration -------------------------------------------------------------------------------

    /** Accept a service account (requires {@code ?project_id=<projectId>}). */
    public synchronized MixpanelFake acceptServiceAccount(String user, String secret, String projectId) {
        acceptedUsers.put(user + ":" + secret, projectId);
        return this;
    }

    /** Accept a project API secret or project token (username, empty password, no project id). */
    public synchronized MixpanelFake acceptUsername(String secretOrToken) {
        acceptedUsers.put(secretOrToken + ":", "");
        return this;
    }

    public synchronized MixpanelFake revokeAll() {
        acceptedUsers.clear();
        return this;
    }

    public MixpanelFake maxBodyBytes(long bytes) {
        this.maxBodyBytes = bytes;
        return this;
    }

    public MixpanelFake maxEvents(int n) {
        this.maxEvents = n;
        return this;
    }

    public MixpanelFake requireGzip(boolean required) {
        this.requireGzip = required;
        return this;
    }

    /** {@code "insert_id"} (the spec's key, default) or {@code "$insert_id"} (a prose example's) in failed_records. */
    public MixpanelFake failedRecordIdKey(String key) {
        this.failedRecordIdKey = key;
        return this;
    }

    public MixpanelFake clock(Supplier<Instant> clock) {
        this.clock = clock;
        return this;
    }

    /** Faults for the next requests, one per request, in order. */
    public synchronized MixpanelFake enqueue(Fault... next) {
        faults.addAll(List.of(next));
        return this;
    }

    public synchronized int pendingFaults() {
        return faults.size();
    }

    // ---- observations --------------------------------------------------------------------------------

    /** Every event accepted, in arrival order (duplicates included, as raw export shows them). */
    public synchronized List<JsonNode> imported() {
        return List.copyOf(imported);
    }

    /** Distinct events after Mixpanel's dedup (event, distinct_id, time, $insert_id). */
    public synchronized int importedUnique() {
        return dedupKeys.size();
    }

    public synchronized Set<String> importedInsertIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode e : imported) {
            ids.add(e.path("properties").path("$insert_id").asText());
        }
        return ids;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized void reset() {
        faults.clear();
        requests.clear();
        imported.clear();
        dedupKeys.clear();
    }

    // ---- protocol ------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        Fault fault;
        synchronized (this) {
            fault = faults.poll();
        }
        if (fault instanceof Fault.Slow slow) {
            sleep(slow.delay());
        }
        byte[] raw = ex.getRequestBody().readAllBytes();
        boolean gzip = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"));
        Map<String, String> query = query(ex.getRequestURI());
        String[] auth = basicAuth(ex.getRequestHeaders().getFirst("Authorization"));
        String authUser = auth == null ? null : auth[0];
        if (!"POST".equals(ex.getRequestMethod()) || !"/import".equals(ex.getRequestURI().getPath())) {
            answer(ex, 404, error(404, "Not Found", "no such endpoint"), null, 0, raw.length, gzip, authUser, null);
            return;
        }
        if (fault instanceof Fault.Status s) {
            answer(ex, s.status(), documentedBody(s.status()), s.retryAfterSeconds(), 0, raw.length, gzip, authUser,
                    query.get("project_id"));
            return;
        }
        if (!authorized(auth, query.get("project_id"))) {
            answer(ex, 401, documentedBody(401), null, 0, raw.length, gzip, authUser, query.get("project_id"));
            return;
        }
        if (!"1".equals(query.get("strict"))) {
            answer(ex, 400, error(400, "Bad Request", "this fake requires strict=1"), null, 0, raw.length, gzip,
                    authUser, query.get("project_id"));
            return;
        }
        if (requireGzip && !gzip) {
            answer(ex, 400, error(400, "Bad Request", "this fake requires Content-Encoding: gzip"), null, 0,
                    raw.length, gzip, authUser, query.get("project_id"));
            return;
        }
        byte[] body;
        try {
            body = gzip ? gunzip(raw) : raw;
        } catch (IOException e) {
            answer(ex, 400, error(400, "Bad Request", "body is not valid gzip"), null, 0, raw.length, gzip, authUser,
                    query.get("project_id"));
            return;
        }
        if (fault instanceof Fault.BodyTooLarge400) {
            answer(ex, 400, error(400, "Bad Request", "request body too large"), null, 0, body.length, gzip,
                    authUser, query.get("project_id"));
            return;
        }
        if (body.length > maxBodyBytes) {
            answer(ex, 413, error(413, "Request Entity Too Large", "request exceeds max limit of " + maxBodyBytes
                    + " bytes"), null, 0, body.length, gzip, authUser, query.get("project_id"));
            return;
        }
        JsonNode events;
        try {
            events = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            events = null;
        }
        if (events == null || !events.isArray()) {
            answer(ex, 400, error(400, "Bad Request", "body must be a JSON array of events"), null, 0, body.length,
                    gzip, authUser, query.get("project_id"));
            return;
        }
        if (events.size() > maxEvents) {
            answer(ex, 400, error(400, "Bad Request", "request exceeds max limit of " + maxEvents + " events"), null,
                    events.size(), body.length, gzip, authUser, query.get("project_id"));
            return;
        }
        Set<Integer> forcedFailures = new java.util.HashSet<>();
        if (fault instanceof Fault.FailIndexes f) {
            for (int i : f.indexes()) {
                forcedFailures.add(i);
            }
        }
        ArrayNode failed = Json.MAPPER.createArrayNode();
        List<JsonNode> good = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String[] problem = forcedFailures.contains(i)
                    ? new String[] {"properties", "injected failure"} : validate(e);
            if (problem == null) {
                good.add(e);
            } else {
                ObjectNode f = failed.addObject();
                f.put("index", i);
                f.put(failedRecordIdKey, e.path("properties").path("$insert_id").asText(""));
                f.put("field", problem[0]);
                f.put("message", problem[1]);
            }
        }
        synchronized (this) {
            for (JsonNode e : good) {
                imported.add(e);
                JsonNode p = e.path("properties");
                dedupKeys.add(e.path("event").asText() + "\u0000" + p.path("distinct_id").asText() + "\u0000"
                        + p.path("time").asText() + "\u0000" + p.path("$insert_id").asText());
            }
        }
        if (failed.isEmpty()) {
            ObjectNode ok = Json.MAPPER.createObjectNode().put("code", 200).put("num_records_imported", good.size())
                    .put("status", "OK");
            answer(ex, 200, ok.toString(), null, events.size(), body.length, gzip, authUser, query.get("project_id"));
        } else {
            ObjectNode bad = Json.MAPPER.createObjectNode().put("code", 400)
                    .put("error", "some data points in the request failed validation").put("status", "Bad Request")
                    .put("num_records_imported", good.size());
            bad.set("failed_records", failed);
            answer(ex, 400, bad.toString(), null, events.size(), body.length, gzip, authUser, query.get("project_id"));
        }
    }

    /** Null when valid, else {field, message}. */
    private String[] validate(JsonNode e) {
        if (!e.isObject()) {
            return new String[] {"event", "event must be an object"};
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("event") && !k.equals("properties")) {
                return new String[] {k, "unexpected top-level key"};
            }
        }
        if (!e.path("event").isTextual() || e.get("event").asText().isEmpty()) {
            return new String[] {"event", "'event' must be a non-empty string"};
        }
        JsonNode p = e.path("properties");
        if (!p.isObject()) {
            return new String[] {"properties", "'properties' must be an object"};
        }
        if (p.size() >= 255) {
            return new String[] {"properties", "too many properties: " + p.size()};
        }
        JsonNode time = p.path("time");
        if (!time.isNumber()) {
            return new String[] {"properties.time", "'properties.time' is required and must be a number"};
        }
        long t = time.asLong();
        long millis = t < 100_000_000_000L ? t * 1000 : t;
        if (millis < EARLIEST_MILLIS) {
            return new String[] {"properties.time", "'properties.time' is before 1971-01-01"};
        }
        if (millis > clock.get().toEpochMilli() + Duration.ofHours(1).toMillis()) {
            return new String[] {"properties.time", "'properties.time' is more than 1 hour in the future"};
        }
        JsonNode did = p.path("distinct_id");
        if (!(did.isTextual() || did.isNumber()) || did.asText().isEmpty()
                || PLACEHOLDER_IDS.contains(did.asText().toLowerCase(Locale.ROOT))) {
            return new String[] {"properties.distinct_id", "'properties.distinct_id' is missing or invalid"};
        }
        JsonNode insertId = p.path("$insert_id");
        if (!insertId.isTextual() || !INSERT_ID.matcher(insertId.asText()).matches()) {
            return new String[] {"properties.$insert_id", "'$insert_id' must be 1-36 characters of [A-Za-z0-9-]"};
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String problem = shape(f.getValue(), 1);
            if (problem != null) {
                return new String[] {"properties." + f.getKey(), problem};
            }
        }
        return null;
    }

    private static String shape(JsonNode v, int depth) {
        if (v.isContainerNode() && depth > 3) {
            return "nesting deeper than 3";
        }
        if (v.isArray() && v.size() >= 255) {
            return "array of 255 or more elements";
        }
        if (v.isObject() && v.size() >= 255) {
            return "object of 255 or more keys";
        }
        for (JsonNode child : v) {
            String p = shape(child, depth + 1);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private synchronized boolean authorized(String[] auth, String projectId) {
        if (auth == null) {
            return false;
        }
        String expectedProject = acceptedUsers.get(auth[0] + ":" + auth[1]);
        if (expectedProject == null) {
            return false;
        }
        return expectedProject.isEmpty() || expectedProject.equals(projectId);
    }

    private static String[] basicAuth(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? new String[] {decoded, ""}
                : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new HashMap<>();
        String q = uri.getRawQuery();
        if (q == null) {
            return m;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    /** Mixpanel's documented body for a status. */
    public static String documentedBody(int status) {
        return switch (status) {
            case 401 -> error(401, "Unauthorized", "Invalid credentials");
            case 403 -> error(403, "Forbidden", "project not accessible with these credentials");
            case 413 -> error(413, "Request Entity Too Large", "request exceeds max limit of " + MAX_BODY_BYTES
                    + " bytes");
            case 429 -> error(429, "Too Many Requests",
                    "Project exceeded rate limits. Please retry the request with exponential backoff.");
            default -> status >= 500 ? "<html><body>" + status + " Server Error</body></html>"
                    : error(status, "Error", "injected status " + status);
        };
    }

    private static String error(int code, String status, String message) {
        return Json.MAPPER.createObjectNode().put("code", code).put("error", message).put("status", status)
                .toString();
    }

    private void answer(HttpExchange ex, int status, String body, Integer retryAfter, int events, long bytes,
                        boolean gzip, String authUser, String projectId) throws IOException {
        synchronized (this) {
            requests.add(new Request(status, events, bytes, gzip, authUser, projectId));
        }
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(retryAfter));
        }
        LoopbackHttpServer.respond(ex, status, status >= 500 ? "text/html" : "application/json",
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gunzip(byte[] raw) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
