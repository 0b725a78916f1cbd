package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import java.util.Map;

/** The bodies Braze's {@code /users/track} answers with (spec braze-api.md section 3, "Responses"). */
public final class TrackBodies {

    private TrackBodies() {
    }

    /** {@code {"message":"success","attributes_processed":n}}, with {@code errors} for the refused objects. */
    public static String success(int attributesProcessed, Map<Integer, String> errors) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("message", "success");
        if (attributesProcessed >= 0) {
            r.put("attributes_processed", attributesProcessed);
        }
        if (!errors.isEmpty()) {
            var array = r.putArray("errors");
            errors.forEach((i, type) -> array.addObject().put("type", type).put("input_array", "attributes")
                    .put("index", i));
        }
        return r.toString();
    }

    public static String message(String message) {
        return Json.MAPPER.createObjectNode().put("message", message).toString();
    }

    /** Braze's fatal error for a status: every one carries a {@code message}. */
    public static String documented(int status) {
        return message(switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Invalid API key";
            case 403 -> "Access Denied";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 429 -> "Too Many Requests";
            default -> status >= 500 ? "Internal Server Error" : "Error " + status;
        });
    }
}
