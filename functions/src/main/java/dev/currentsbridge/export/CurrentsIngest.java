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
import dev.currentsbridge.export.domain.input.OversizeEvent;
import dev.currentsbridge.export.port.ExportQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Routes#CURRENTS}: Braze's Currents HTTP connector posts {@code {"events":[...]}} batches here; they are
 * checked and put on the export queue, and the export function does the rest. Answers as the connector
 * expects: 2xx once enqueued (an empty batch is an authenticated no-op), 401 without a bearer token, 403 with
 * a wrong one, 400 for a malformed body, 413 for an oversize one (Braze then splits), 5xx only when the queue
 * (or the token secret) is unavailable, so that Braze backs off and retries. Errors are
 * {@code {"status":"<code>","message":...}}.
 *
 * <p>Never answered with an error, because Braze would split the batch and then drop its events for good: a
 * {@code Braze-Currents-Version} other than 1 (accepted, logged and counted: {@code UnexpectedConnectorVersion}),
 * and a single event too large for a queue message (Braze cannot split it): an {@link OversizeEvent} record
 * of it is enqueued in its place, which the export function rejects with reason {@code event_too_large}.
 *
 * <p>The token is the secret's current version or, during a rotation, its previous one ({@code AWSPREVIOUS}).
 * A token matching neither re-reads the secret at most once per {@link #TOKEN_REREAD} per container, so
 * wrong tokens from anyone on the internet cannot make every request a Secrets Manager read.
 */
public final class CurrentsIngest implements HttpApi {

    private static final Log LOG = Log.get(CurrentsIngest.class);
    private static final String SUPPORTED_VERSION = "1";
    /** How often a token matching no known version may re-read the token secret (per container). */
    static final Duration TOKEN_REREAD = Duration.ofMinutes(1);

    private final ExportQueue queue;
    private final SecretSource secrets;
    private final String tokenSecretId;
    private final Clock clock;
    private final AtomicReference<Instant> lastReread = new AtomicReference<>();
    private final AtomicReference<ParsedToken> currentToken = new AtomicReference<>();
    private final AtomicReference<ParsedToken> previousToken = new AtomicReference<>();

    public CurrentsIngest(ExportQueue queue, SecretSource secrets, String tokenSecretId, Clock clock) {
        this.queue = queue;
        this.secrets = secrets;
        this.tokenSecretId = tokenSecretId;
        this.clock = clock;
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
        if (version == null || !SUPPORTED_VERSION.equals(version.trim())) {
            // refusing would make Braze split the batch and then drop it: take it, and make the change visible
            LOG.warn("unexpected Braze-Currents-Version: accepted", "version",
                    version == null ? "none" : loggable(version));
            metrics.count("UnexpectedConnectorVersion", 1);
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
        int maxEventBytes = queue.maxEventBytes();
        int tooLarge = 0;
        for (JsonNode e : root.get("events")) {
            if (!e.isObject()) {
                return answer(400, "malformed", "every element of events must be an object");
            }
            String json = e.toString();
            // a UTF-8 character takes at most 3 bytes per UTF-16 unit: most events need no byte count
            int bytes = json.length() * 3 <= maxEventBytes ? 0 : json.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxEventBytes) {
                OversizeEvent record = OversizeEvent.of(e, bytes, maxEventBytes);
                LOG.warn("event too large for a queue message: enqueued as a reject", "event_type",
                        loggable(record.eventType()), "bytes", bytes);
                json = record.json();
                tooLarge++;
            }
            events.add(json);
        }
        metrics.count("EventsReceived", events.size());
        if (tooLarge > 0) {
            metrics.count("EventsTooLarge", tooLarge);
        }
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

    /**
     * True/false for a match, null when the secret cannot be read. A token matching neither the current nor
     * the previous version re-reads both, at most once per {@link #TOKEN_REREAD} (a rotation since the read).
     */
    private Boolean tokenMatches(String presented) {
        try {
            if (knownToken(presented)) {
                return true;
            }
            if (!mayReread()) {
                return false;
            }
            LOG.info("bearer token matches no known version: reading the token secret again");
            secrets.invalidate(tokenSecretId);
            return knownToken(presented);
        } catch (SecretUnavailableException e) {
            LOG.error("cannot read the Currents token secret", "error", e.getMessage());
            return null;
        }
    }

    private boolean knownToken(String presented) {
        if (constantTimeEquals(presented, token(currentToken, secrets.get(tokenSecretId)))) {
            return true;
        }
        Optional<String> previous = secrets.previous(tokenSecretId);
        return previous.isPresent() && constantTimeEquals(presented, token(previousToken, previous.get()));
    }

    /** A secret value and the token it holds, so that a JSON secret is not parsed again at every request. */
    private record ParsedToken(String secretValue, String token) {
    }

    private static String token(AtomicReference<ParsedToken> memo, String secretValue) {
        ParsedToken m = memo.get();
        if (m != null && m.secretValue().equals(secretValue)) {
            return m.token();
        }
        String t = token(secretValue);
        memo.set(new ParsedToken(secretValue, t));
        return t;
    }

    private boolean mayReread() {
        Instant now = clock.instant();
        Instant last = lastReread.get();
        if (last != null && now.isBefore(last.plus(TOKEN_REREAD))) {
            return false;
        }
        return lastReread.compareAndSet(last, now);
    }

    /** The token a secret value holds: the whole value, or its {@code token} member when it is JSON. */
    private static String token(String secretValue) {
        String raw = secretValue.trim();
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

    /** A header or field value fit for a log line: at most 40 characters of {@code [A-Za-z0-9._-]}, others as {@code _}. */
    static String loggable(String value) {
        if (value == null) {
            return "none";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), 40));
        for (int i = 0; i < value.length() && b.length() < 40; i++) {
            char c = value.charAt(i);
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            b.append(keep ? c : '_');
        }
        return b.toString();
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
