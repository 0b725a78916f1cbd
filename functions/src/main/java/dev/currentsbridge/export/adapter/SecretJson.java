package dev.currentsbridge.export.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;

/** Reading the Mixpanel secret's JSON: one object of text fields, whichever credentials are taken from it. */
final class SecretJson {

    private SecretJson() {
    }

    /** The secret as a JSON object; anything else is a configuration error (never retried as a network fault). */
    static JsonNode object(String secretJson) {
        JsonNode s;
        try {
            s = Json.MAPPER.readTree(secretJson);
        } catch (Exception e) {
            s = null;
        }
        if (s == null || !s.isObject()) {
            throw new CredentialsException("the Mixpanel secret is not a JSON object", false, null);
        }
        return s;
    }

    /** A non-blank field as text, trimmed (a number too: {@code "project_id": 12345}); null when absent or blank. */
    static String text(JsonNode s, String field) {
        JsonNode v = s.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String t = v.asText().trim();
        return t.isEmpty() ? null : t;
    }
}
