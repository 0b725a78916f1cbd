package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.delivery.BatchLimits;

/** The bodies Mixpanel's {@code /import} answers with (spec "Import Events API", table "Responses"). */
public final class ImportBodies {

    public static final String PARTIAL_FAILURE = "some data points in the request failed validation";
    public static final String BODY_TOO_LARGE_400 = "request body too large";

    private ImportBodies() {
    }

    public static String ok(int imported) {
        return Json.MAPPER.createObjectNode().put("code", 200).put("num_records_imported", imported)
                .put("status", "OK").toString();
    }

    /** 400 partial success: the valid records were imported, the others are listed. */
    public static String partial(int imported, ArrayNode failedRecords) {
        ObjectNode bad = Json.MAPPER.createObjectNode().put("code", 400).put("error", PARTIAL_FAILURE)
                .put("status", "Bad Request").put("num_records_imported", imported);
        bad.set("failed_records", failedRecords);
        return bad.toString();
    }

    public static String badRequest(String message) {
        return error(400, "Bad Request", message);
    }

    public static String tooLarge(long maxBodyBytes) {
        return error(413, "Request Entity Too Large", "request exceeds max limit of " + maxBodyBytes + " bytes");
    }

    /** Mixpanel's documented body for a status (5xx: an HTML page from the load balancer, no JSON). */
    public static String documented(int status) {
        return switch (status) {
            case 401 -> error(401, "Unauthorized", "Invalid credentials");
            case 403 -> error(403, "Forbidden", "project not accessible with these credentials");
            case 404 -> error(404, "Not Found", "no such endpoint");
            case 405 -> error(405, "Method Not Allowed", "method not allowed");
            case 413 -> tooLarge(BatchLimits.MIXPANEL_MAX_BODY_BYTES);
            case 429 -> error(429, "Too Many Requests",
                    "Project exceeded rate limits. Please retry the request with exponential backoff.");
            default -> status >= 500 ? "<html><body>" + status + " Server Error</body></html>"
                    : error(status, "Error", "injected status " + status);
        };
    }

    public static String contentType(int status) {
        return status >= 500 ? "text/html" : "application/json";
    }

    public static String error(int code, String status, String message) {
        return Json.MAPPER.createObjectNode().put("code", code).put("error", message).put("status", status)
                .toString();
    }
}
