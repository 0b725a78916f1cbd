package dev.currentsbridge.cohorts.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.retry.RetryAfter;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Braze {@code POST /users/track} over the shared JDK HTTP client. The REST API key is read from the
 * {@link SecretSource} on each call (the source caches it) and re-read once after a 401, so a rotated key is
 * picked up without a redeploy. Answers are classified by meaning ({@link #interpret}, table in docs/COHORTS.md):
 * only per-object errors and a 400 about the payload say anything about the users.
 */
public final class BrazeHttpClient implements BrazeUsers {

    private static final Log LOG = Log.get(BrazeHttpClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI trackUri;
    private final SecretSource secrets;
    private final String apiKeySecretId;
    private final Clock clock;

    public BrazeHttpClient(HttpClient http, URI restEndpoint, SecretSource secrets, String apiKeySecretId) {
        this(http, restEndpoint, secrets, apiKeySecretId, Clock.systemUTC());
    }

    /** {@code clock} turns Braze's {@code X-RateLimit-Reset} (an epoch second) into a wait. */
    public BrazeHttpClient(HttpClient http, URI restEndpoint, SecretSource secrets, String apiKeySecretId, Clock clock) {
        this.http = http;
        this.clock = clock;
        String base = restEndpoint.toString();
        this.trackUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/users/track");
        this.secrets = secrets;
        this.apiKeySecretId = apiKeySecretId;
    }

    /** The request body's encoding and the API key read's path (signing, JSON) without a request or a real read. */
    @Override
    public void warmUp() {
        body(List.of(new AttributeUpdate(MemberRef.externalId("priming"), "priming", List.of("a"), List.of("b")),
                new AttributeUpdate(MemberRef.alias("priming", "priming"), "priming", List.of("a"), List.of())));
        dev.currentsbridge.common.aws.SdkPriming.primeSecretsManager();
    }

    @Override
    public TrackResult track(List<AttributeUpdate> updates) {
        if (updates.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("at most " + MAX_OBJECTS + " attributes objects per request");
        }
        byte[] body = body(updates);
        try {
            HttpResponse<String> r = post(body);
            if (r.statusCode() == 401) {
                secrets.invalidate(apiKeySecretId); // maybe rotated since we cached it
                r = post(body);
            }
            return interpret(r, clock);
        } catch (SecretUnavailableException e) {
            String reason = "Braze API key unavailable: " + e.getMessage();
            return e.retryable() ? new TrackResult.Unavailable(0, reason) : new TrackResult.Misconfigured(0, reason);
        } catch (IOException e) {
            return new TrackResult.Unavailable(0, "network error: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TrackResult.Unavailable(0, "interrupted");
        }
    }

    private HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(trackUri)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + secrets.get(apiKeySecretId))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code /users/track} request body (public for SnapStart priming). */
    public static byte[] body(List<AttributeUpdate> updates) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode attributes = root.putArray("attributes");
        for (AttributeUpdate u : updates) {
            ObjectNode o = attributes.addObject();
            identify(o, u.member());
            ObjectNode change = o.putObject(u.attribute());
            if (!u.add().isEmpty()) {
                u.add().forEach(change.putArray("add")::add);
            }
            if (!u.remove().isEmpty()) {
                u.remove().forEach(change.putArray("remove")::add);
            }
            o.put("_update_existing_only", true);
        }
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The field naming the user: a string, or for a user alias the object Braze's user alias object defines. */
    private static void identify(ObjectNode o, MemberRef member) {
        if (member.kind() == IdKind.USER_ALIAS) {
            o.putObject(member.kind().brazeField())
                    .put("alias_name", member.aliasName())
                    .put("alias_label", member.aliasLabel());
        } else {
            o.put(member.kind().brazeField(), member.id());
        }
    }

    /**
     * What Braze's answer means. 2xx with Braze's JSON ({@code message}): accepted, per-object {@code errors} are
     * rejections with Braze's reason; 2xx that is not Braze's JSON: something else answered (misconfigured).
     * 429: throttled until {@code X-RateLimit-Reset} (documented; {@code Retry-After} read only as a fallback).
     * 5xx: unavailable. 400 with Braze's JSON message about the payload: refused, with that reason; a 400 about
     * the number of objects means {@code BRAZE_OBJECTS_PER_REQUEST} is above the workspace's limit
     * (misconfigured). Every other status (3xx, 401, 403, 404, 408, 413, other 4xx): misconfigured.
     */
    static TrackResult interpret(HttpResponse<String> r, Clock clock) {
        int status = r.statusCode();
        JsonNode body = parse(r.body());
        boolean brazeJson = body != null && body.isObject() && body.path("message").isTextual();
        if (status >= 200 && status < 300) {
            if (!brazeJson) {
                return new TrackResult.Misconfigured(status, "unreadable answer (HTTP " + status
                        + " without Braze's JSON): is BRAZE_REST_ENDPOINT a Braze REST endpoint?");
            }
            Map<Integer, String> rejected = new HashMap<>();
            for (JsonNode e : body.path("errors")) {
                if (e.path("index").canConvertToInt()) {
                    String type = e.path("type").asText(e.path("message").asText("rejected"));
                    rejected.put(e.path("index").asInt(), type);
                }
            }
            if (!rejected.isEmpty()) {
                LOG.warn("braze rejected attributes objects", "count", rejected.size());
            }
            return new TrackResult.Ok(rejected);
        }
        if (status == 429) {
            Duration wait = RetryAfter.untilRateLimitReset(r.headers().firstValue("X-RateLimit-Reset").orElse(null), clock)
                    .or(() -> RetryAfter.parse(r.headers().firstValue("Retry-After").orElse(null), clock))
                    .orElse(null);
            return new TrackResult.Throttled(wait);
        }
        if (status >= 500 && status < 600) {
            return new TrackResult.Unavailable(status, brazeJson ? truncate(body.path("message").asText()) : "HTTP " + status);
        }
        String message = brazeJson ? truncate(body.path("message").asText()) : null;
        if (status == 400 && message != null && !aboutObjectCount(message)) {
            return new TrackResult.PayloadRefused(message);
        }
        return new TrackResult.Misconfigured(status, misconfiguration(status, message));
    }

    /** Braze's 400 for "too many objects" is about our request size, not about any user. */
    private static boolean aboutObjectCount(String message) {
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("too many") || m.contains("exceed") || m.contains("at most") || m.contains("limit");
    }

    private static String misconfiguration(int status, String message) {
        String hint = switch (status) {
            case 400 -> "too many objects per request: lower BRAZE_OBJECTS_PER_REQUEST (50 for MAU contracts)";
            case 401 -> "Braze refused the REST API key (secret BRAZE_API_KEY_SECRET_ID)";
            case 403 -> "the REST API key lacks the users.track permission";
            case 404 -> "no /users/track here: check BRAZE_REST_ENDPOINT";
            case 408 -> "Braze timed out reading the request";
            case 413 -> "request too large for Braze: lower BRAZE_OBJECTS_PER_REQUEST";
            default -> status >= 300 && status < 400 ? "redirected: BRAZE_REST_ENDPOINT must be the exact REST endpoint"
                    : "unexpected answer";
        };
        return "braze HTTP " + status + ": " + hint + (message == null ? "" : " (" + message + ")");
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    /** The body as JSON; null when empty or not JSON. */
    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
