package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Braze REST API on loopback for {@code POST /users/track}, enforcing what Braze documents: Bearer REST API key,
 * at most 75 attributes objects per request (400 otherwise), 429 with {@code Retry-After} when asked, per-object
 * errors (success with an {@code errors} array) for chosen users. It keeps every user's array attributes so tests
 * can assert the resulting Braze state, and records every request.
 *
 * <p>Users are named as attributes objects name them: {@code external_id}, {@code email}, {@code braze_id},
 * {@code phone} (keys such as {@code "external_id:u1"}) or a user alias object
 * {@code {"user_alias": {"alias_name", "alias_label"}}} (key {@link #alias(String, String)}). An object naming no user,
 * or with a {@code user_alias} that is not an object of two non-empty strings (Braze requires both), gets a
 * per-object error; the error texts are the fake's own (braze-api.md documents none).
 */
public final class BrazeFake implements AutoCloseable {

    public static final int MAX_OBJECTS = 75;

    /** One request as received, with the status answered. */
    public record Recorded(String authorization, JsonNode body, int status) {
        public int objects() {
            return body == null ? 0 : body.path("attributes").size();
        }
    }

    private final HttpServer server;
    private final Set<String> validKeys = ConcurrentHashMap.newKeySet();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private volatile String retryAfter = "1";
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile int failStatus = 500;
    private final Set<String> rejectedUsers = ConcurrentHashMap.newKeySet();
    /** "external_id:u1" -> attribute -> values */
    private final Map<String, Map<String, Set<String>>> users = new ConcurrentHashMap<>();

    private BrazeFake(String apiKey) {
        validKeys.add(apiKey);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public static BrazeFake start(String apiKey) {
        return new BrazeFake(apiKey);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next {@code n} requests get 429 with {@code Retry-After: retryAfterHeader} (null: no header). */
    public BrazeFake throttleNext(int n, String retryAfterHeader) {
        retryAfter = retryAfterHeader;
        throttleNext.set(n);
        return this;
    }

    public BrazeFake failNext(int n, int status) {
        failStatus = status;
        failNext.set(n);
        return this;
    }

    public static final String NO_IDENTIFIER = "'external_id' or another identifier is required";
    public static final String MALFORMED_ALIAS = "'user_alias' must be an object with string 'alias_name' and 'alias_label'";

    /** The key of a user alias in {@link #values}, {@link #state} and {@link #rejectUser} (unambiguous for any text). */
    public static String alias(String aliasName, String aliasLabel) {
        return "user_alias:" + Json.MAPPER.createArrayNode().add(aliasLabel).add(aliasName);
    }

    /** The key of the user a member names, as an attributes object written for it names it. */
    public static String user(MemberRef member) {
        return member.kind() == IdKind.USER_ALIAS ? alias(member.aliasName(), member.aliasLabel())
                : member.kind().brazeField() + ":" + member.id();
    }

    /** Objects naming this user ({@code "external_id:u1"}, {@code "email:a@b"}, {@link #alias}) are rejected per object. */
    public BrazeFake rejectUser(String idFieldColonId) {
        rejectedUsers.add(idFieldColonId);
        return this;
    }

    public BrazeFake acceptKey(String key) {
        validKeys.add(key);
        return this;
    }

    public BrazeFake revokeKey(String key) {
        validKeys.remove(key);
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** Requests answered 2xx. */
    public List<Recorded> accepted() {
        return requests.stream().filter(r -> r.status() / 100 == 2).toList();
    }

    /** The user's current values of an array attribute, as Braze would hold them. */
    public Set<String> values(String idFieldColonId, String attribute) {
        return new TreeSet<>(users.getOrDefault(idFieldColonId, Map.of()).getOrDefault(attribute, Set.of()));
    }

    /** All users with a non-empty value set of the attribute: "external_id:u1" -> values. */
    public Map<String, Set<String>> state(String attribute) {
        Map<String, Set<String>> out = new HashMap<>();
        users.forEach((u, attrs) -> {
            Set<String> v = attrs.get(attribute);
            if (v != null && !v.isEmpty()) {
                out.put(u, new TreeSet<>(v));
            }
        });
        return out;
    }

    public void reset() {
        requests.clear();
        users.clear();
        rejectedUsers.clear();
        throttleNext.set(0);
        failNext.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] raw = ex.getRequestBody().readAllBytes();
            if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().equals("/users/track")) {
                reply(ex, null, 404, "{\"message\":\"not found\"}");
                return;
            }
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(raw);
            } catch (IOException e) {
                reply(ex, null, 400, "{\"message\":\"Invalid JSON\"}");
                return;
            }
            if (auth == null || !auth.startsWith("Bearer ") || !validKeys.contains(auth.substring(7))) {
                reply(ex, new Recorded(auth, body, 401), 401, "{\"message\":\"Invalid API key\"}");
                return;
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (retryAfter != null) {
                    ex.getResponseHeaders().add("Retry-After", retryAfter);
                }
                reply(ex, new Recorded(auth, body, 429), 429, "{\"message\":\"Too Many Requests\"}");
                return;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply(ex, new Recorded(auth, body, failStatus), failStatus, "{\"message\":\"Internal Server Error\"}");
                return;
            }
            JsonNode attributes = body.path("attributes");
            if (!attributes.isArray() || attributes.size() > MAX_OBJECTS) {
                reply(ex, new Recorded(auth, body, 400), 400,
                        "{\"message\":\"Too many attributes objects: at most " + MAX_OBJECTS + " per request\"}");
                return;
            }
            ObjectNode answer = Json.MAPPER.createObjectNode();
            List<ObjectNode> errors = new ArrayList<>();
            int processed = 0;
            for (int i = 0; i < attributes.size(); i++) {
                JsonNode o = attributes.get(i);
                String user = identify(o);
                if (user == null || rejectedUsers.contains(user)) {
                    ObjectNode err = Json.MAPPER.createObjectNode();
                    err.put("type", user != null ? "Invalid user" : o.has("user_alias") ? MALFORMED_ALIAS : NO_IDENTIFIER);
                    err.put("input_array", "attributes");
                    err.put("index", i);
                    errors.add(err);
                    continue;
                }
                apply(user, o);
                processed++;
            }
            answer.put("message", "success");
            answer.put("attributes_processed", processed);
            if (!errors.isEmpty()) {
                answer.putArray("errors").addAll(errors);
            }
            reply(ex, new Recorded(auth, body, 201), 201, Json.MAPPER.writeValueAsString(answer));
        }
    }

    /** The key of the user an attributes object names, or null when it names none (or a malformed alias). */
    public static String identify(JsonNode o) {
        for (String f : new String[] {"external_id", "email", "braze_id", "phone"}) {
            if (o.path(f).isTextual()) {
                return f + ":" + o.get(f).asText();
            }
        }
        JsonNode a = o.path("user_alias");
        if (a.isObject() && nonEmptyText(a.get("alias_name")) && nonEmptyText(a.get("alias_label"))) {
            return alias(a.get("alias_name").asText(), a.get("alias_label").asText());
        }
        return null;
    }

    private static boolean nonEmptyText(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty();
    }

    private void apply(String user, JsonNode o) {
        Map<String, Set<String>> attrs = users.computeIfAbsent(user, k -> new ConcurrentHashMap<>());
        o.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && (e.getValue().has("add") || e.getValue().has("remove"))) {
                Set<String> values = attrs.computeIfAbsent(e.getKey(), k -> ConcurrentHashMap.newKeySet());
                e.getValue().path("add").forEach(v -> values.add(v.asText()));
                e.getValue().path("remove").forEach(v -> values.remove(v.asText()));
            }
        });
    }

    private void reply(HttpExchange ex, Recorded recorded, int status, String body) throws IOException {
        if (recorded != null) {
            requests.add(recorded);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
