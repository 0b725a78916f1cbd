package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;

/**
 * Data import key management over HTTP (admin keys only, see {@link CohortAuthenticator}): create (the secret is
 * shown once; role postback unless asked), list, revoke (never the last active admin key).
 */
final class KeyRoutes {

    private static final Log LOG = Log.get(KeyRoutes.class);

    private static final String BODY_SHAPE =
            "body must be an object with optional strings label, role (postback or admin) and project_id";

    private final KeyAdmin keys;

    KeyRoutes(KeyAdmin keys) {
        this.keys = keys;
    }

    /** {@code {"label", "role": "postback"|"admin", "project_id"}}, all optional; the role defaults to postback. */
    ApiReply createKey(RouteCall call) {
        String label = null;
        KeyRole role = KeyRole.POSTBACK;
        String projectId = null;
        if (call.request().body().length > 0) {
            JsonNode root = call.json().orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
            if (!root.isObject()) {
                throw InvalidPostback.badRequest(BODY_SHAPE);
            }
            label = optionalText(root, "label");
            String roleText = optionalText(root, "role");
            if (roleText != null) {
                role = KeyRole.parse(roleText).orElseThrow(() -> InvalidPostback.badRequest("role must be \"postback\" or \"admin\""));
            }
            projectId = optionalText(root, "project_id");
        }
        CreatedKey created;
        try {
            created = keys.create(label, role, projectId);
        } catch (IllegalArgumentException e) {
            throw InvalidPostback.badRequest(e.getMessage());
        }
        LOG.info("data import key created", "key_id", created.record().keyId(), "role", role.wire(),
                "by", call.caller().keyId());
        ObjectNode out = CohortJson.key(created.record());
        out.put("key", created.secret());
        out.put("note", "store this key now: it is not shown again");
        return ApiReply.json(201, out);
    }

    ApiReply listKeys(RouteCall call) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode arr = out.putArray("keys");
        keys.list().forEach(k -> arr.add(CohortJson.key(k)));
        return ApiReply.json(200, out);
    }

    /** Revokes a key; never the last active admin key (409), decided atomically by the store. */
    ApiReply revokeKey(RouteCall call) {
        String keyId = call.param("keyId");
        switch (keys.revokeKeepingAnAdmin(keyId)) {
            case NO_SUCH_KEY -> throw new InvalidPostback(404, "no such key");
            case LAST_ADMIN -> throw new InvalidPostback(409,
                    "refusing to revoke the last active admin key: create another admin key first");
            case REVOKED -> LOG.info("data import key revoked", "key_id", keyId, "by", call.caller().keyId());
            case ALREADY_REVOKED -> { }
        }
        return ApiReply.json(200, CohortJson.key(keys.find(keyId).orElseThrow()));
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw InvalidPostback.badRequest(BODY_SHAPE);
        }
        return n.asText();
    }
}
