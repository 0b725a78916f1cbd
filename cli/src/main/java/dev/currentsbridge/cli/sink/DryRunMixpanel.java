package dev.currentsbridge.cli.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A loopback server speaking Mixpanel's {@code POST /import}: it checks what Mixpanel checks (Basic auth,
 * 2000 events and 10 MB per request, {@code time}, {@code distinct_id}, {@code $insert_id}), answers with
 * Mixpanel's status codes and bodies (200, 400 partial success with {@code failed_records}, 401, 413), and
 * writes each accepted request body as NDJSON (gunzipped; a JSON-array body becomes one line per element)
 * to {@code <dir>/import-<run>-<n>.ndjson}.
 */
public final class DryRunMixpanel extends DryRunSink {

    public static final int MAX_EVENTS = 2000;
    public static final long MAX_BYTES = 10L * 1024 * 1024;
    private static final long MIN_TIME_SECONDS = 31_536_000L; // 1971-01-01
    private static final Pattern INSERT_ID = Pattern.compile("[A-Za-z0-9-]{1,36}");
    private static final Set<String> PLACEHOLDER_IDS = Set.of("00000000-0000-0000-0000-000000000000", "anon",
            "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1", "true",
            "false", "[]", "{}");

    private final Clock clock;
    private final AtomicLong imported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public DryRunMixpanel(Path dir, int port) {
        this(dir, port, Clock.systemUTC());
    }

    public DryRunMixpanel(Path dir, int port, Clock clock) {
        super("Mixpanel dry-run sink", dir, "import", ".ndjson", port);
        this.clock = clock;
    }

    public long eventsImported() {
        return imported.get();
    }

    public long eventsFailed() {
        return failed.get();
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (!path.equals("/import") && !path.equals("/import/")) {
            LoopbackHttp.respond(ex, 404, "{\"code\":404,\"error\":\"not found\",\"status\":\"Not Found\"}");
            return;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            LoopbackHttp.respond(ex, 405, "{\"code\":405,\"error\":\"method not allowed\",\"status\":\"Method Not Allowed\"}");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6) || auth.length() <= 6) {
            LoopbackHttp.respond(ex, 401, "{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}");
            return;
        }
        byte[] body = LoopbackHttp.body(ex, MAX_BYTES);
        if (body.length > MAX_BYTES) {
            LoopbackHttp.respond(ex, 413, "{\"code\":413,\"error\":\"request exceeds max limit of " + MAX_BYTES
                    + " bytes\",\"status\":\"Request Entity Too Large\"}");
            return;
        }
        countRequest();
        List<JsonNode> events;
        try {
            events = parse(body);
        } catch (IOException e) {
            LoopbackHttp.respond(ex, 400, "{\"code\":400,\"error\":\"unable to parse request body as JSON or NDJSON\",\"status\":\"Bad Request\"}");
            return;
        }
        if (events.size() > MAX_EVENTS) {
            LoopbackHttp.respond(ex, 400, "{\"code\":400,\"error\":\"request contains " + events.size()
                    + " events, more than the limit of " + MAX_EVENTS + "\",\"status\":\"Bad Request\"}");
            return;
        }
        ArrayNode failures = Json.MAPPER.createArrayNode();
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream(body.length + events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String problem = validate(e);
            if (problem != null) {
                ObjectNode f = failures.addObject();
                f.put("index", i);
                JsonNode insertId = e.path("properties").path("$insert_id");
                f.put("insert_id", insertId.isTextual() ? insertId.asText() : "");
                f.put("field", problem.substring(0, problem.indexOf(':')));
                f.put("message", problem.substring(problem.indexOf(':') + 2));
            }
            ndjson.write(Json.MAPPER.writeValueAsBytes(e));
            ndjson.write('\n');
        }
        write(isArray(body) ? ndjson.toByteArray() : withTrailingNewline(body));
        int ok = events.size() - failures.size();
        imported.addAndGet(ok);
        failed.addAndGet(failures.size());
        if (failures.isEmpty()) {
            LoopbackHttp.respond(ex, 200, "{\"code\":200,\"num_records_imported\":" + ok + ",\"status\":\"OK\"}");
        } else {
            ObjectNode r = Json.MAPPER.createObjectNode();
            r.put("code", 400);
            r.put("error", "some data points in the request failed validation");
            r.put("status", "Bad Request");
            r.put("num_records_imported", ok);
            r.set("failed_records", failures);
            LoopbackHttp.respond(ex, 400, Json.MAPPER.writeValueAsString(r));
        }
    }

    private static boolean isArray(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    private static byte[] withTrailingNewline(byte[] body) {
        if (body.length > 0 && body[body.length - 1] == '\n') {
            return body;
        }
        byte[] copy = java.util.Arrays.copyOf(body, body.length + 1);
        copy[body.length] = '\n';
        return copy;
    }

    private static List<JsonNode> parse(byte[] body) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (isArray(body)) {
            JsonNode arr = Json.MAPPER.readTree(body);
            arr.forEach(events::add);
            return events;
        }
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                events.add(Json.MAPPER.readTree(line));
            }
        }
        return events;
    }

    /** Null when Mixpanel would import the event, else {@code "field: message"}. */
    private String validate(JsonNode e) {
        if (!e.isObject()) {
            return "event: each event must be an object";
        }
        if (!e.path("event").isTextual() || e.path("event").asText().isEmpty()) {
            return "event: 'event' must be a non-empty string";
        }
        JsonNode p = e.path("properties");
        if (!p.isObject()) {
            return "properties: 'properties' must be an object";
        }
        JsonNode time = p.path("time");
        if (!time.isNumber()) {
            return "properties.time: 'properties.time' is invalid: must be a number";
        }
        long seconds = time.asLong() > 100_000_000_000L ? time.asLong() / 1000 : time.asLong();
        if (seconds < MIN_TIME_SECONDS) {
            return "properties.time: 'properties.time' is invalid: must be after 1971-01-01";
        }
        if (seconds > clock.instant().getEpochSecond() + 3600) {
            return "properties.time: 'properties.time' is invalid: must not be more than 1 hour in the future";
        }
        JsonNode d = p.path("distinct_id");
        if (!(d.isTextual() || d.isNumber()) || d.asText().isEmpty()
                || PLACEHOLDER_IDS.contains(d.asText().toLowerCase(Locale.ROOT))) {
            return "properties.distinct_id: 'properties.distinct_id' is invalid";
        }
        JsonNode insertId = p.path("$insert_id");
        if (!insertId.isMissingNode() && !(insertId.isTextual() && INSERT_ID.matcher(insertId.asText()).matches())) {
            return "properties.$insert_id: '$insert_id' must be at most 36 characters of [A-Za-z0-9-]";
        }
        return null;
    }
}
