package dev.currentsbridge.cohorts;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the cohort API sees it, independent of API Gateway (local mode can build it from any
 * HTTP server). Header names are matched case-insensitively.
 */
public record ApiRequest(String method, String path, Map<String, String> headers, Map<String, String> query,
                         byte[] body) {

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
    }

    public String header(String name) {
        return headers.get(name);
    }
}
