package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import java.util.Iterator;
import java.util.Set;

/**
 * Mixpanel's documented rules for one {@code /engage} update ({@code #profile-batch-update}, reference
 * {@code user-profile-limits.mdx}): a JSON object of at most 1 MB with {@code $token}, a non-empty
 * {@code $distinct_id} and exactly one operation of the right shape; no other keys but Mixpanel's update options.
 */
final class EngageRules {

    static final Set<String> OBJECT_OPERATIONS = Set.of("$set", "$set_once", "$add", "$union", "$append", "$remove");
    static final Set<String> OPERATIONS = Set.of("$set", "$set_once", "$add", "$union", "$append", "$remove",
            "$unset", "$delete");
    private static final Set<String> OPTIONS = Set.of("$token", "$distinct_id", "$ip", "$time", "$ignore_time",
            "$ignore_alias");

    record Problem(String field, String message) {
    }

    private EngageRules() {
    }

    /** Null when valid. Messages name fields, never values. */
    static Problem check(JsonNode update, long bytes) {
        if (!update.isObject()) {
            return new Problem("", "a profile update must be a JSON object");
        }
        if (bytes > BatchLimits.MIXPANEL_ENGAGE_MAX_UPDATE_BYTES) {
            return new Problem("", "profile update exceeds the limit of 1 MB");
        }
        JsonNode id = update.get("$distinct_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            return new Problem("$distinct_id", "'$distinct_id' is required and must be a non-empty string");
        }
        String operation = null;
        for (Iterator<String> it = update.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (OPERATIONS.contains(key)) {
                if (operation != null) {
                    return new Problem(key, "a profile update takes exactly one operation");
                }
                operation = key;
            } else if (!OPTIONS.contains(key)) {
                return new Problem(key, "'" + key + "' is not a profile update field");
            }
        }
        if (operation == null) {
            return new Problem("", "a profile update needs one operation");
        }
        JsonNode value = update.get(operation);
        if (OBJECT_OPERATIONS.contains(operation) && !value.isObject()) {
            return new Problem(operation, "'" + operation + "' must be a JSON object");
        }
        if (operation.equals("$unset") && !value.isArray()) {
            return new Problem(operation, "'$unset' must be a JSON array of property names");
        }
        return null;
    }
}
