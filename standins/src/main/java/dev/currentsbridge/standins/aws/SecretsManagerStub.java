package dev.currentsbridge.standins.aws;

import dev.currentsbridge.standins.http.LoopbackHttpServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Secrets Manager on loopback, speaking the AWS JSON 1.1 protocol the SDK uses:
 * {@code POST /} with {@code X-Amz-Target: secretsmanager.GetSecretValue} and {@code {"SecretId": ...}}.
 * Secrets are found by name or by an ARN ending in {@code :secret:<name>} (optionally with the random suffix).
 * Unknown ids answer 400 {@code ResourceNotFoundException}; {@link #failNext} injects errors. A {@code VersionStage}
 * of {@code AWSCURRENT} (the default) or {@code AWSPREVIOUS} (the value {@link #put} replaced) is honoured. Every request must be
 * SigV4-signed by a known key ({@link TestAws#CREDENTIALS} unless {@link #acceptKey} adds others), else it gets
 * AWS's 400 {@code UnrecognizedClientException} / {@code InvalidSignatureException} /
 * {@code MissingAuthenticationTokenException}.
 */
public final class SecretsManagerStub implements AutoCloseable {

    private static final String ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:000000000000:secret:";

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, String> previousValues = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> stageReads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
    private final Deque<int[]> faults = new ArrayDeque<>();
    private final Deque<String> faultTypes = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, String> knownKeys = new ConcurrentHashMap<>(Map.of("test", "test"));
    private final SigV4Verifier signatures = new SigV4Verifier("secretsmanager", knownKeys);
    private final AtomicInteger rejectedSignatures = new AtomicInteger();
    private final LoopbackHttpServer server;

    private SecretsManagerStub() {
        server = new LoopbackHttpServer(this::handle);
    }

    public static SecretsManagerStub start() {
        return new SecretsManagerStub();
    }

    public URI endpoint() {
        return server.uri();
    }

    /** Accepts requests signed with this access key id and secret key (besides the test credentials). */
    public SecretsManagerStub acceptKey(String accessKeyId, String secretKey) {
        knownKeys.put(accessKeyId, secretKey);
        return this;
    }

    /** Requests refused for their signature (missing, unknown key, mismatch). */
    public int rejectedSignatures() {
        return rejectedSignatures.get();
    }

    /**
     * Creates or replaces a secret (a new version), as {@code PutSecretValue} does: the new version takes the
     * {@code AWSCURRENT} staging label and the one it replaces {@code AWSPREVIOUS}.
     */
    public SecretsManagerStub put(String name, String value) {
        String replaced = secrets.put(name, value);
        if (replaced != null) {
            previousValues.put(name, replaced);
        }
        versions.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        return this;
    }

    public void remove(String name) {
        secrets.remove(name);
        previousValues.remove(name);
    }

    /** GetSecretValue calls naming this secret and asking for this {@code VersionStage} ("AWSCURRENT" if none). */
    public int reads(String name, String versionStage) {
        AtomicInteger n = stageReads.get(name + "\u0000" + versionStage);
        return n == null ? 0 : n.get();
    }

    /** The ARN under which {@code name} is also found. */
    public static String arnOf(String name) {
        return ARN_PREFIX + name + "-AbCdEf";
    }

    /**
     * The next {@code count} requests answer {@code status} with the AWS error {@code type}, e.g.
     * (1, 400, "ThrottlingException") or (2, 500, "InternalServiceError").
     */
    public synchronized void failNext(int count, int status, String type) {
        for (int i = 0; i < count; i++) {
            faults.add(new int[] {status});
            faultTypes.add(type);
        }
    }

    /** Successful or failed GetSecretValue calls naming this secret. */
    public int reads(String name) {
        AtomicInteger n = reads.get(name);
        return n == null ? 0 : n.get();
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
        byte[] raw = ex.getRequestBody().readAllBytes();
        SigV4Verifier.Outcome signature = signatures.check(ex, raw);
        if (signature != SigV4Verifier.Outcome.VALID) {
            rejectedSignatures.incrementAndGet();
            switch (signature) {
                case MISSING -> error(ex, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
                case UNKNOWN_KEY -> error(ex, 400, "UnrecognizedClientException",
                        "The security token included in the request is invalid.");
                default -> error(ex, 400, "InvalidSignatureException",
                        "The request signature we calculated does not match the signature you provided.");
            }
            return;
        }
        JsonNode body = Json.MAPPER.readTree(raw);
        int[] fault;
        String faultType;
        synchronized (this) {
            fault = faults.poll();
            faultType = faultTypes.poll();
        }
        if (fault != null) {
            error(ex, fault[0], faultType, "injected failure");
            return;
        }
        if (!"POST".equals(ex.getRequestMethod()) || !"secretsmanager.GetSecretValue".equals(target)) {
            error(ex, 400, "UnknownOperationException", "only GetSecretValue is stubbed, got " + target);
            return;
        }
        String id = body.path("SecretId").asText("");
        String name = nameOf(id);
        reads.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        String stage = body.path("VersionStage").asText("AWSCURRENT");
        stageReads.computeIfAbsent(name + "\u0000" + stage, n -> new AtomicInteger()).incrementAndGet();
        if (!stage.equals("AWSCURRENT") && !stage.equals("AWSPREVIOUS")) {
            error(ex, 400, "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label: " + stage);
            return;
        }
        String value = stage.equals("AWSCURRENT") ? secrets.get(name)
                : secrets.containsKey(name) ? previousValues.get(name) : null;
        if (value == null) {
            error(ex, 400, "ResourceNotFoundException", stage.equals("AWSCURRENT") || !secrets.containsKey(name)
                    ? "Secrets Manager can't find the specified secret."
                    : "Secrets Manager can't find the specified secret value for staging label: " + stage);
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("ARN", arnOf(name));
        out.put("Name", name);
        out.put("SecretString", value);
        int version = versions.get(name).get();
        out.put("VersionId", "v" + (stage.equals("AWSCURRENT") ? version : version - 1));
        out.putArray("VersionStages").add(stage);
        out.put("CreatedDate", 1.7e9);
        LoopbackHttpServer.respond(ex, 200, "application/x-amz-json-1.1", Json.MAPPER.writeValueAsBytes(out));
    }

    private static String nameOf(String id) {
        if (!id.startsWith(ARN_PREFIX)) {
            return id;
        }
        String rest = id.substring(ARN_PREFIX.length());
        int dash = rest.lastIndexOf('-');
        // Full ARNs end in "-" plus 6 random characters; partial ARNs end in the name.
        return dash > 0 && rest.length() - dash == 7 ? rest.substring(0, dash) : rest;
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        ObjectNode out = Json.MAPPER.createObjectNode().put("__type", type).put("Message", message);
        LoopbackHttpServer.respond(ex, status, "application/x-amz-json-1.1",
                out.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
