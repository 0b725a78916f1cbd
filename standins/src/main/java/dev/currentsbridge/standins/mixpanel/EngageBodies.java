package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;

/**
 * The bodies Mixpanel's {@code /engage} answers with ({@code openapi/ingestion.openapi.yaml}): {@code 200} with the
 * text {@code 1} (one or more updates valid) or {@code 0} (none valid); under {@code strict=1} a JSON object, with
 * per-record errors for the updates that failed validation; 401/403 as {@code ErrorResponse}
 * ({@code {"error":..,"status":"error"}}). 413, 429 and 5xx are answered as on {@code /import} ({@link ImportBodies}).
 */
public final class EngageBodies {

    public static final String PARTIAL_FAILURE = "some profile updates in the request failed validation";

    private EngageBodies() {
    }

    /** {@code 1}/{@code 0} without {@code strict}; {@code {"error":null,"status":1}} with it. */
    public static String ok(boolean strict, int valid) {
        if (!strict) {
            return valid > 0 ? "1" : "0";
        }
        ObjectNode ok = Json.MAPPER.createObjectNode();
        ok.putNull("error");
        return ok.put("status", 1).toString();
    }

    /** {@code strict=1}: the updates that failed, by index; the others were applied. */
    public static String failed(ArrayNode failedRecords, int applied) {
        ObjectNode bad = Json.MAPPER.createObjectNode().put("error", PARTIAL_FAILURE).put("status", 0)
                .put("num_good_events", applied);
        bad.set("failed_records", failedRecords);
        return bad.toString();
    }

    /** A request refused as a whole (not a JSON array, too many updates). */
    public static String refused(boolean strict, String message) {
        return strict ? Json.MAPPER.createObjectNode().put("error", message).put("status", 0).toString() : "0";
    }

    public static String documented(int status) {
        return switch (status) {
            case 401 -> errorResponse("Invalid project token");
            case 403 -> errorResponse("project not accessible with this token");
            default -> ImportBodies.documented(status);
        };
    }

    public static String contentType(String body) {
        return body.startsWith("{") ? "application/json" : body.startsWith("<") ? "text/html" : "text/plain";
    }

    private static String errorResponse(String message) {
        return Json.MAPPER.createObjectNode().put("error", message).put("status", "error").toString();
    }
}
