package dev.currentsbridge.common.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the API functions see it, independent of API Gateway (local mode and tests build it
 * directly). Header names are matched case-insensitively. The body is already decoded (base64, gzip) by
 * {@link RequestBody}; when that failed, {@link #bodyError()} says why, so that each API can decide where in its
 * checks the refusal comes (the cohort API refuses it first, the Currents endpoint after authentication).
 * {@link #body()} is then empty, except for an oversize body: it stays, so that a refusal can still echo what it
 * says (Mixpanel's error shape names the webhook's action).
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                         byte[] body, BodyError bodyError) {

    /** Why a body could not be taken: the HTTP status to answer and a message for the caller. */
    public record BodyError(int status, String message) {
    }

    public ApiRequest {
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        path = path == null || path.isEmpty() ? "/" : path;
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        headers = h;
        query = query == null ? Map.of() : Map.copyOf(query);
        body = body == null ? new byte[0] : body;
        if (bodyError == null) {
            bodyError = RequestBody.checkSize(body);
        }
    }

    /** A request whose body was taken as is (no transfer encoding to undo). */
    public ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query, byte[] body) {
        this(method, path, headers, query, body, null);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The token of {@code Authorization: Bearer <token>} (scheme case-insensitive), or null when absent or blank. */
    public String bearerToken() {
        String auth = header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = auth.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    /** The password of {@code Authorization: Basic base64(user:password)}, or null when absent or malformed. */
    public String basicPassword() {
        String auth = header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
