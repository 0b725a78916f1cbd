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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Braze {@code POST /users/track} over the shared JDK HTTP client. The REST API key is read from the
 * {@link SecretSource} on each call (the source caches it) and re-read once after a 401, so a rotated key is
 * picked up without a redeploy.
 */
public final class BrazeHttpClient implements BrazeUsers {

    private static final Log LOG = Log.get(BrazeHttpClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI trackUri;
    private final SecretSource secrets;
    private final String apiKeySecretId;

    public BrazeHttpClient(HttpClient http, URI restEndpoint, SecretSource secrets, String apiKeySecretId) {
        this.http = http;
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
            return interpret(r);
        } catch (SecretUnavailableException e) {
            return new TrackResult.Failed(0, "Braze API key unavailable: " + e.getMessage(), e.retryable());
        } catch (IOException e) {
            return new TrackResult.Failed(0, "network error: " + e.getClass().getSimpleName(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TrackResult.Failed(0, "interrupted", true);
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

    static TrackResult interpret(HttpResponse<String> r) {
        int status = r.statusCode();
        JsonNode body = parse(r.body());
        if (status >= 200 && status < 300) {
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
            return new TrackResult.Throttled(retryAfter(r.headers().firstValue("Retry-After").orElse(null)));
        }
        String message = body.path("message").asText("HTTP " + status);
        return new TrackResult.Failed(status, message, status >= 500);
    }

    static Duration retryAfter(String header) {
        return RetryAfter.parse(header).orElse(null);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode n = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
            return n == null ? Json.MAPPER.createObjectNode() : n;
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
