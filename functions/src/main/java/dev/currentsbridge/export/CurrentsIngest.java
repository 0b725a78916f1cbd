package dev.currentsbridge.export;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.api.HttpApi;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.lang.Sha256;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import dev.currentsbridge.export.domain.input.HttpBatchSplitter;
import dev.currentsbridge.export.port.ExportQueue;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Routes#CURRENTS}: Braze's Currents HTTP connector posts {@code {"events":[...]}} batches here; they are
 * checked and put on the export queue, and the export function does the rest. Answers as the connector
 * expects: 2xx once enqueued (an empty batch is an authenticated no-op), 401 without a bearer token, 403 with
 * a wrong one, 400 for a malformed body, 413 for an oversize one (Braze then splits), 5xx only when the queue
 * (or the token secret) is unavailable, so that Braze backs off and retries. Errors are
 * {@code {"status":"<code>","message":...}}.
 */
public final class CurrentsIngest implements HttpApi {

    private static final Log LOG = Log.get(CurrentsIngest.class);
    private static final String SUPPORTED_VERSION = "1";

    private final ExportQueue queue;
    private final SecretSource secrets;
    private final String tokenSecretId;

    public CurrentsIngest(ExportQueue queue, SecretSource secrets, String tokenSecretId) {
        this.queue = queue;
        this.secrets = secrets;
        this.tokenSecretId = tokenSecretId;
    }

    @Override
    public ApiReply handle(ApiRequest request, Metrics metrics) {
        // An event without a request context (a direct invoke) is taken as the route's method.
        if (!request.method().isEmpty() && !Routes.CURRENTS.method().equals(request.method())) {
            return answer(405, "method_not_allowed", "use " + Routes.CURRENTS.method());
        }
        String token = request.bearerToken();
        if (token == null) {
            LOG.warn("currents request without bearer token");
            return answer(401, "unauthorized", "a bearer token is required");
        }
        Boolean tokenOk = tokenMatches(token);
        if (tokenOk == null) {
            return answer(503, "unavailable", "cannot check the token now, retry later");
        }
        if (!tokenOk) {
            LOG.warn("currents request with a wrong bearer token");
            return answer(403, "forbidden", "wrong token");
        }
        String version = request.header("Braze-Currents-Version");
        if (version != null && !SUPPORTED_VERSION.equals(version.trim())) {
            return answer(400, "unsupported_version", "Braze-Currents-Version must be 1");
        }
        if (request.bodyError() != null) {
            return answer(request.bodyError().status(), request.bodyError().status() == 413 ? "too_large" : "malformed",
                    request.bodyError().message());
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(request.body());
        } catch (JacksonException e) {
            return answer(400, "malformed", "the body is not JSON");
        } catch (IOException e) {
            return answer(400, "malformed", "the body cannot be read");
        }
        if (root == null || !root.isObject() || !root.path("events").isArray()) {
            return answer(400, "malformed", "expected {\"events\":[...]}");
        }
        List<String> events = new ArrayList<>(root.get("events").size());
        for (JsonNode e : root.get("events")) {
            if (!e.isObject()) {
                return answer(400, "malformed", "every element of events must be an object");
            }
            events.add(e.toString());
        }
        metrics.count("EventsReceived", events.size());
        if (events.isEmpty()) {
            return answer(200, "ok", "no events");
        }
        try {
            queue.enqueueEvents(events);
        } catch (HttpBatchSplitter.EventTooLargeException e) {
            return answer(413, "too_large", "an event is larger than one queue message");
        } catch (ExportQueue.QueueUnavailableException e) {
            LOG.error("export queue unavailable", "error", e.getMessage(), "events", events.size());
            return answer(503, "unavailable", "the export queue is unavailable, retry later");
        }
        metrics.count("EventsEnqueued", events.size());
        LOG.info("currents batch enqueued", "events", events.size());
        return answer(200, "ok", events.size() + " events enqueued");
    }

    /** True/false for a match, null when the secret cannot be read. Re-reads once on mismatch (rotation). */
    private Boolean tokenMatches(String presented) {
        try {
            if (constantTimeEquals(presented, expectedToken())) {
                return true;
            }
            secrets.invalidate(tokenSecretId);
            return constantTimeEquals(presented, expectedToken());
        } catch (SecretUnavailableException e) {
            LOG.error("cannot read the Currents token secret", "error", e.getMessage());
            return null;
        }
    }

    private String expectedToken() {
        String raw = secrets.get(tokenSecretId).trim();
        if (raw.startsWith("{")) {
            try {
                JsonNode n = Json.MAPPER.readTree(raw);
                if (n.path("token").isTextual()) {
                    return n.get("token").asText();
                }
            } catch (JacksonException e) {
                // not JSON after all: the whole value is the token
            }
        }
        return raw;
    }

    /** Compares digests, so neither content nor length leaks through timing. */
    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(Sha256.of(a), Sha256.of(b));
    }

    private static ApiReply answer(int status, String code, String message) {
        ApiReply reply = ApiReply.json(status, Json.MAPPER.createObjectNode().put("status", code).put("message", message));
        return status == 401 ? reply.withHeader("WWW-Authenticate", "Bearer") : reply;
    }
}
