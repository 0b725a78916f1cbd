package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.common.json.Json;
import java.util.List;

/**
 * What Braze's {@code /users/track} checks (spec braze-api.md section 3): a JSON object whose {@code attributes},
 * {@code events} and {@code purchases} are arrays holding together between 1 and {@link BrazeUsers#MAX_OBJECTS}
 * objects (the production constant), and each attributes object naming its user by exactly one of
 * {@code external_id}, {@code user_alias}, {@code braze_id}, {@code email}, {@code phone}, a user alias being an
 * object of two non-empty strings. The error texts are the emulator's own (braze-api.md documents none).
 */
public final class TrackRules {

    public static final List<String> ARRAYS = List.of("attributes", "events", "purchases");
    public static final List<String> IDENTIFIERS = List.of("external_id", "user_alias", "braze_id", "email", "phone");
    public static final String NO_IDENTIFIER = "'external_id' or another identifier is required";
    public static final String MALFORMED_ALIAS =
            "'user_alias' must be an object with string 'alias_name' and 'alias_label'";
    public static final String MORE_THAN_ONE_IDENTIFIER =
            "only one of 'external_id', 'user_alias', 'braze_id', 'email' or 'phone' may be given";

    private TrackRules() {
    }

    /** Null when Braze reads the request, else the {@code message} of its 400. */
    public static String requestProblem(JsonNode body) {
        if (body == null || !body.isObject()) {
            return "Request body must be a JSON object";
        }
        int objects = 0;
        for (String array : ARRAYS) {
            JsonNode a = body.path(array);
            if (!a.isMissingNode() && !a.isArray()) {
                return "'" + array + "' must be an array";
            }
            objects += a.size();
        }
        if (objects == 0) {
            return "Request must contain attributes, events or purchases";
        }
        if (objects > BrazeUsers.MAX_OBJECTS) {
            return "Too many objects: at most " + BrazeUsers.MAX_OBJECTS
                    + " attributes, events and purchases combined are allowed per request";
        }
        return null;
    }

    /** Null when Braze processes the attributes object, else the {@code type} of its entry in {@code errors}. */
    public static String objectProblem(JsonNode o) {
        long ids = IDENTIFIERS.stream().filter(o::has).count();
        if (ids > 1) {
            return MORE_THAN_ONE_IDENTIFIER;
        }
        if (identify(o) != null) {
            return null;
        }
        return o.has("user_alias") ? MALFORMED_ALIAS : NO_IDENTIFIER;
    }

    /** The key of the user an attributes object names ({@code "external_id:u1"}), or null when it names none. */
    public static String identify(JsonNode o) {
        for (String f : new String[] {"external_id", "email", "braze_id", "phone"}) {
            if (o.path(f).isTextual()) {
                return f + ":" + o.get(f).asText();
            }
        }
        JsonNode a = o.path("user_alias");
        if (a.isObject() && nonEmptyText(a.get("alias_name")) && nonEmptyText(a.get("alias_label"))) {
            return alias(a.get("alias_name").asText(), a.get("alias_label").asText());
        }
        return null;
    }

    /** The key of a user alias (unambiguous for any text). */
    public static String alias(String aliasName, String aliasLabel) {
        return "user_alias:" + Json.MAPPER.createArrayNode().add(aliasLabel).add(aliasName);
    }

    private static boolean nonEmptyText(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty();
    }
}
