package dev.currentsbridge.cli.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback server speaking Braze's {@code POST /users/track}: Bearer auth, at most 75 objects per request,
 * one identifier per attributes object; answers {@code {"message":"success","attributes_processed":n}} (with
 * an {@code errors} array for objects it refused, as Braze does) and writes each request body byte for byte
 * to {@code <dir>/users-track-<run>-<n>.json}.
 */
public final class DryRunBraze extends DryRunSink {

    public static final int MAX_OBJECTS = 75;
    private static final long MAX_BYTES = 4L * 1024 * 1024;
    private static final List<String> IDENTIFIERS = List.of("external_id", "user_alias", "braze_id", "email", "phone");

    private final AtomicLong attributesProcessed = new AtomicLong();

    public DryRunBraze(Path dir, int port) {
        super("Braze dry-run sink", dir, "users-track", ".json", port);
    }

    public long attributesProcessed() {
        return attributesProcessed.get();
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/users/track")) {
            LoopbackHttp.respond(ex, 404, "{\"message\":\"Not Found\"}");
            return;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            LoopbackHttp.respond(ex, 405, "{\"message\":\"Method Not Allowed\"}");
            return;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= 7) {
            LoopbackHttp.respond(ex, 401, "{\"message\":\"Invalid API key\"}");
            return;
        }
        byte[] body = LoopbackHttp.body(ex, MAX_BYTES);
        if (body.length > MAX_BYTES) {
            LoopbackHttp.respond(ex, 413, "{\"message\":\"Request body too large\"}");
            return;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            LoopbackHttp.respond(ex, 400, "{\"message\":\"Invalid JSON in request body\"}");
            return;
        }
        if (root == null || !root.isObject()) {
            LoopbackHttp.respond(ex, 400, "{\"message\":\"Request body must be a JSON object\"}");
            return;
        }
        int objects = 0;
        for (String array : List.of("attributes", "events", "purchases")) {
            JsonNode a = root.path(array);
            if (!a.isMissingNode() && !a.isArray()) {
                LoopbackHttp.respond(ex, 400, "{\"message\":\"'" + array + "' must be an array\"}");
                return;
            }
            objects += a.size();
        }
        if (objects == 0) {
            LoopbackHttp.respond(ex, 400, "{\"message\":\"Request must contain attributes, events or purchases\"}");
            return;
        }
        if (objects > MAX_OBJECTS) {
            LoopbackHttp.respond(ex, 400, "{\"message\":\"Too many objects: at most " + MAX_OBJECTS
                    + " attributes, events and purchases combined are allowed per request\"}");
            return;
        }
        countRequest();
        write(body);
        ArrayNode errors = Json.MAPPER.createArrayNode();
        JsonNode attributes = root.path("attributes");
        for (int i = 0; i < attributes.size(); i++) {
            long ids = IDENTIFIERS.stream().filter(attributes.get(i)::has).count();
            if (ids != 1) {
                ObjectNode err = errors.addObject();
                err.put("type", ids == 0 ? "'external_id', 'user_alias', 'braze_id', 'email' or 'phone' is required"
                        : "only one of 'external_id', 'user_alias', 'braze_id', 'email' or 'phone' may be given");
                err.put("input_array", "attributes");
                err.put("index", i);
            }
        }
        int processed = attributes.size() - errors.size();
        attributesProcessed.addAndGet(processed);
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("message", "success");
        r.put("attributes_processed", processed);
        if (!errors.isEmpty()) {
            r.set("errors", errors);
        }
        LoopbackHttp.respond(ex, 201, Json.MAPPER.writeValueAsString(r));
    }
}
