package dev.currentsbridge.export.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.retry.RetryAfter;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.port.MixpanelDeletions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Mixpanel's GDPR deletion API over the shared JDK HTTP client: {@code POST <host>/api/app/data-deletions/v3.0?token=}
 * with {@code Authorization: Bearer <gdpr_oauth_token>}, and the task status GET. The host follows
 * {@code MIXPANEL_REGION} ({@code mixpanel.com}, {@code eu.mixpanel.com}, {@code in.mixpanel.com}), or
 * {@code MIXPANEL_GDPR_URL} (emulators). Credentials from the Mixpanel secret ({@link GdprCredentials}), re-read
 * after a 401/403.
 */
public final class MixpanelHttpDeletions implements MixpanelDeletions {

    public static final Map<String, String> REGION_BASE_URLS = Map.of(
            "US", "https://mixpanel.com",
            "EU", "https://eu.mixpanel.com",
            "IN", "https://in.mixpanel.com");
    static final String PATH = "/api/app/data-deletions/v3.0";

    private final Supplier<HttpClient> http;
    private final String base;
    private final MixpanelSecret<GdprCredentials> secret;

    public MixpanelHttpDeletions(Supplier<HttpClient> http, URI baseUrl, SecretSource secrets, String secretId) {
        this.http = http;
        String b = baseUrl.toString();
        this.base = (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + PATH;
        this.secret = new MixpanelSecret<>(secrets, secretId, GdprCredentials::parse);
    }

    public static MixpanelHttpDeletions fromEnv(Env env, SecretSource secrets, Supplier<HttpClient> http) {
        return new MixpanelHttpDeletions(http, baseUrl(env), secrets, env.required("MIXPANEL_SECRET_ID"));
    }

    public static URI baseUrl(Env env) {
        Optional<String> override = env.optional("MIXPANEL_GDPR_URL");
        if (override.isPresent()) {
            return URI.create(override.get());
        }
        String region = env.get("MIXPANEL_REGION", "US").toUpperCase(Locale.ROOT);
        String b = REGION_BASE_URLS.get(region);
        if (b == null) {
            throw new ConfigException("MIXPANEL_REGION must be US, EU or IN, got '" + region + "'");
        }
        return URI.create(b);
    }

    @Override
    public Answer request(List<String> distinctIds, String complianceType, Duration timeout)
            throws IOException, InterruptedException {
        GdprCredentials c = secret.credentials();
        var body = Json.MAPPER.createObjectNode();
        var ids = body.putArray("distinct_ids");
        distinctIds.forEach(ids::add);
        body.put("compliance_type", complianceType);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "?token=" + encode(c.projectToken())))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + c.oauthToken())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        return answer(http.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    @Override
    public Answer status(String taskId, Duration timeout) throws IOException, InterruptedException {
        GdprCredentials c = secret.credentials();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/" + encode(taskId) + "?token="
                        + encode(c.projectToken())))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + c.oauthToken())
                .GET()
                .build();
        return answer(http.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
    }

    /** {@code {"status":"ok","results":{"task_id":...}}} or {@code {"results":{"status":...}}}. */
    private Answer answer(HttpResponse<String> r) {
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            secret.reload();
        }
        String taskId = null;
        String taskStatus = null;
        try {
            JsonNode results = Json.MAPPER.readTree(r.body()).path("results");
            taskId = results.path("task_id").isValueNode() ? results.path("task_id").asText() : null;
            taskStatus = results.path("status").isTextual() ? results.path("status").asText() : null;
        } catch (IOException | RuntimeException e) {
            // not JSON (a proxy's page): the status code alone decides
        }
        return new Answer(r.statusCode(), taskId, taskStatus,
                r.headers().firstValue("Retry-After").flatMap(RetryAfter::parse));
    }

    private static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }
}
