package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import java.util.Optional;

/** Data import key management over HTTP: create (the secret is shown once), list, revoke (never the last active one). */
final class KeyRoutes {

    private static final Log LOG = Log.get(KeyRoutes.class);

    private final KeyAdmin keys;

    KeyRoutes(KeyAdmin keys) {
        this.keys = keys;
    }

    ApiReply createKey(RouteCall call) {
        String label = null;
        if (call.request().body().length > 0) {
            JsonNode root = call.json().orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
            JsonNode l = root.get("label");
            if (!root.isObject() || (l != null && !l.isNull() && !l.isTextual())) {
                throw InvalidPostback.badRequest("body must be an object with an optional string label");
            }
            label = l == null || l.isNull() ? null : l.asText();
        }
        CreatedKey created;
        try {
            created = keys.create(label);
        } catch (IllegalArgumentException e) {
            throw InvalidPostback.badRequest(e.getMessage());
        }
        LOG.info("data import key created", "key_id", created.record().keyId(), "by", call.caller().keyId());
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

    ApiReply revokeKey(RouteCall call) {
        String keyId = call.param("keyId");
        Optional<KeyRecord> target = find(keyId);
        if (target.isEmpty()) {
            throw new InvalidPostback(404, "no such key");
        }
        if (target.get().active() && keys.activeCount() <= 1) {
            throw new InvalidPostback(409, "refusing to revoke the last active key: create another one first");
        }
        keys.revoke(keyId);
        LOG.info("data import key revoked", "key_id", keyId, "by", call.caller().keyId());
        return ApiReply.json(200, CohortJson.key(find(keyId).orElseThrow()));
    }

    private Optional<KeyRecord> find(String keyId) {
        return keys.list().stream().filter(k -> k.keyId().equals(keyId)).findFirst();
    }
}
