package dev.currentsbridge.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.lang.Sha256;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.domain.input.HttpBatchSplitter;
import dev.currentsbridge.export.port.ExportQueue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.crac.Core;
import org.crac.Resource;

/**
 * {@code POST /currents}: Braze's Currents HTTP connector posts {@code {"events":[...]}} batches here; they are
 * checked and put on the export queue, and the export function does the rest. Answers as the connector
 * expects: 2xx once enqueued (an empty batch is an authenticated no-op), 401 without a bearer token, 403 with
 * a wrong one, 400 for a malformed body, 413 for an oversize one (Braze then splits), 5xx only when the queue
 * (or the token secret) is unavailable, so that Braze backs off and retries.
 *
 * <p>Reads {@code CURRENTS_TOKEN_SECRET_ID} (a secret holding the token, as plain text or {@code {"token":..}})
 * and {@code EXPORT_QUEUE_URL}.
 */
public final class CurrentsIngestHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {

    private static final Log LOG = Log.get(CurrentsIngestHandler.class);
    /**
     * 1 MiB. Braze's HTTP connector posts at most 100 events and drops payloads over 900 KB, so a legitimate
     * batch fits; a larger one gets 413 and Braze splits it. (Lambda itself refuses > 6 MB before we run.)
     */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final String SUPPORTED_VERSION = "1";

    private final ExportQueue queue;
    private final SecretSource secrets;
    private final String tokenSecretId;

    public CurrentsIngestHandler() {
        this(Env.system(), AwsClients.fromEnvironment(Env.system()));
        Core.getGlobalContext().register(this);
    }

    private CurrentsIngestHandler(Env env, AwsClients aws) {
        this(new SqsExportQueue(aws.sqs(), env.required("EXPORT_QUEUE_URL")),
                aws.secrets(env.required("CURRENTS_TOKEN_SECRET_ID")), env);
    }

    public CurrentsIngestHandler(ExportQueue queue, SecretSource secrets, Env env) {
        this.queue = queue;
        this.secrets = secrets;
        this.tokenSecretId = env.required("CURRENTS_TOKEN_SECRET_ID");
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent request, Context context) {
        Metrics metrics = new Metrics(FunctionName.CURRENTS_INGEST);
        APIGatewayV2HTTPResponse response = handle(request, metrics);
        metrics.count("Status" + response.getStatusCode() / 100 + "xx", 1);
        metrics.flush();
        return response;
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent request, Metrics metrics) {
        String method = request.getRequestContext() == null || request.getRequestContext().getHttp() == null
                ? "POST" : request.getRequestContext().getHttp().getMethod();
        if (!"POST".equalsIgnoreCase(method)) {
            return answer(405, "method_not_allowed", "use POST");
        }
        String authorization = header(request, "authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            LOG.warn("currents request without bearer token");
            return answer(401, "unauthorized", "a bearer token is required");
        }
        Boolean tokenOk = tokenMatches(authorization.substring(7).trim());
        if (tokenOk == null) {
            return answer(503, "unavailable", "cannot check the token now, retry later");
        }
        if (!tokenOk) {
            LOG.warn("currents request with a wrong bearer token");
            return answer(403, "forbidden", "wrong token");
        }
        String version = header(request, "braze-currents-version");
        if (version != null && !SUPPORTED_VERSION.equals(version.trim())) {
            return answer(400, "unsupported_version", "Braze-Currents-Version must be 1");
        }
        byte[] body;
        try {
            body = body(request);
        } catch (BodyTooLargeException e) {
            return answer(413, "too_large", "the body exceeds " + MAX_BODY_BYTES + " bytes");
        } catch (IOException | IllegalArgumentException e) {
            return answer(400, "malformed", "the body cannot be decoded");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
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

    private static byte[] body(APIGatewayV2HTTPEvent request) throws IOException {
        String text = request.getBody() == null ? "" : request.getBody();
        byte[] raw = request.getIsBase64Encoded() ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        if (raw.length > MAX_BODY_BYTES) {
            throw new BodyTooLargeException();
        }
        String encoding = header(request, "content-encoding");
        if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                byte[] inflated = in.readNBytes(MAX_BODY_BYTES + 1);
                if (inflated.length > MAX_BODY_BYTES) {
                    throw new BodyTooLargeException();
                }
                return inflated;
            }
        }
        return raw;
    }

    private static String header(APIGatewayV2HTTPEvent request, String name) {
        Map<String, String> headers = request.getHeaders();
        if (headers == null) {
            return null;
        }
        String v = headers.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static APIGatewayV2HTTPResponse answer(int status, String code, String message) {
        String body = Json.MAPPER.createObjectNode().put("status", code).put("message", message).toString();
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(status == 401 ? Map.of("Content-Type", "application/json", "WWW-Authenticate", "Bearer")
                        : Map.of("Content-Type", "application/json"))
                .withBody(body).build();
    }

    /**
     * SnapStart priming, all of it: the real queue adapter's own (tests' fakes have none), the token check, the
     * Secrets Manager read's signer (no secret read), the SQS SDK pipeline and a loopback POST, no traffic.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        if (queue instanceof SqsExportQueue sqs) {
            sqs.prime();
        }
        constantTimeEquals("warm", "up");
        dev.currentsbridge.common.aws.SdkPriming.primeSecretsManager();
        dev.currentsbridge.common.aws.SdkPriming.primeSqs();
        dev.currentsbridge.common.http.HttpPriming.primePost();
        try {
            Json.MAPPER.readTree("{\"events\":[{\"id\":\"warm\"}]}");
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to refresh: priming read no secret
    }

    private static final class BodyTooLargeException extends IOException {
    }
}
