package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.http.HttpRoute;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RequestBodies;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Mixpanel's GDPR deletion API as documented (spec section 5): {@code POST /api/app/data-deletions/v3.0?token=<project
 * token>} with {@code Authorization: Bearer <GDPR OAuth token>} and {@code {"distinct_ids":[...],"compliance_type":
 * "GDPR"|"CCPA"}} (1 to 2000 ids), answered 201 with a task id, or 429 with {@code Retry-After} when a fault is queued;
 * {@code GET .../v3.0/<task id>?token=...} answers the task's status. Bodies as in Mixpanel's
 * {@code openapi/gdpr.openapi.yaml} ({@code JobCreated}, {@code CheckDeletionResponse}, errors {@code {"error","status"}}).
 */
final class DataDeletionRoute implements HttpRoute {

    static final String PATH = "/api/app/data-deletions/v3.0";

    private final DataDeletions state;

    DataDeletionRoute(DataDeletions state) {
        this.state = state;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public boolean accepts(String method) {
        return method.equals("POST") || method.equals("GET");
    }

    @Override
    public boolean servesSubpaths() {
        return true;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        byte[] body = RequestBodies.raw(ex, 1 << 20);
        String path = ex.getRequestURI().getPath();
        String taskId = path.length() > PATH.length() + 1 ? path.substring(PATH.length() + 1).replaceAll("/$", "") : "";
        String bearer = bearer(ex.getRequestHeaders().getFirst("Authorization"));
        String token = query(ex.getRequestURI().getRawQuery(), "token");
        if (!state.authorized(bearer, token)) {
            LoopbackHttpServer.respondJson(ex, 401, error("invalid OAuth token or project token"));
            return;
        }
        if (ex.getRequestMethod().equals("GET")) {
            status(ex, taskId);
        } else if (!taskId.isEmpty()) {
            LoopbackHttpServer.respondJson(ex, 405, error("method not allowed"));
        } else {
            create(ex, body);
        }
    }

    private void status(HttpExchange ex, String taskId) throws IOException {
        DataDeletions.Task t = taskId.isEmpty() ? null : state.task(taskId);
        if (t == null) {
            LoopbackHttpServer.respondJson(ex, 404, error("task not found"));
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("status", "ok");
        // CheckDeletionResponse / DeletionJobResult of mixpanel/docs openapi/gdpr.openapi.yaml
        ObjectNode results = out.putObject("results").put("tracking_id", t.id()).put("status", t.status())
                .put("requesting_user", "owner@example.invalid").put("compliance_type", t.complianceType())
                .put("project_id", 1).put("date_requested", "2026-01-01T00:00:00");
        t.distinctIds().forEach(results.putArray("distinct_ids")::add);
        LoopbackHttpServer.respondJson(ex, 200, out.toString());
    }

    private void create(HttpExchange ex, byte[] body) throws IOException {
        JsonNode req;
        try {
            req = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            req = null;
        }
        List<String> ids = new ArrayList<>();
        String refusal = null;
        if (req == null || !req.isObject() || !req.path("distinct_ids").isArray()) {
            refusal = "body must be a JSON object with distinct_ids";
        } else {
            for (JsonNode id : req.get("distinct_ids")) {
                if (!id.isTextual() || id.asText().isEmpty()) {
                    refusal = "distinct_ids must be non-empty strings";
                    break;
                }
                ids.add(id.asText());
            }
        }
        String compliance = req == null ? null : req.path("compliance_type").asText("GDPR");
        if (refusal == null && (ids.isEmpty() || ids.size() > DataDeletions.MAX_DISTINCT_IDS)) {
            refusal = "distinct_ids must hold 1 to " + DataDeletions.MAX_DISTINCT_IDS + " ids";
        }
        if (refusal == null && !compliance.equals("GDPR") && !compliance.equals("CCPA")) {
            refusal = "compliance_type must be GDPR or CCPA";
        }
        if (refusal != null) {
            state.record(400, ids, compliance);
            LoopbackHttpServer.respondJson(ex, 400, error(refusal));
            return;
        }
        Integer wait = state.takeRateLimit();
        if (wait != null) {
            state.record(429, ids, compliance);
            ex.getResponseHeaders().set("Retry-After", String.valueOf(wait));
            LoopbackHttpServer.respondJson(ex, 429, error("rate limit exceeded"));
            return;
        }
        DataDeletions.Task t = state.create(ids, compliance);
        state.record(201, ids, compliance);
        ObjectNode out = Json.MAPPER.createObjectNode().put("status", "ok");
        out.putObject("results").put("task_id", t.id());
        LoopbackHttpServer.respondJson(ex, 201, out.toString());
    }

    private static String bearer(String header) {
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String error(String message) {
        return Json.MAPPER.createObjectNode().put("status", "error").put("error", message).toString();
    }
}
