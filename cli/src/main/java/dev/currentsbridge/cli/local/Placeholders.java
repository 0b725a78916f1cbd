package dev.currentsbridge.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * Puts the local secrets into API Gateway sample events in place of the placeholders events-samples/README.md
 * documents: {@code local-demo-key-0001} (the data import key, also inside HTTP Basic credentials) and
 * {@code local-currents-token} (the Currents ingest token). Other values (a deliberately wrong key) stay.
 */
public final class Placeholders {

    public static final String SAMPLE_KEY = "local-demo-key-0001";
    public static final String SAMPLE_TOKEN = "local-currents-token";

    private final String dataImportKey;
    private final String currentsToken;

    public Placeholders(String dataImportKey, String currentsToken) {
        this.dataImportKey = dataImportKey;
        this.currentsToken = currentsToken;
    }

    /** Rewrites the event's headers and (text) body in place. */
    public void apply(ObjectNode apiEvent) {
        JsonNode headers = apiEvent.path("headers");
        if (headers instanceof ObjectNode h) {
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    e.setValue(h.textNode(header(e.getKey(), e.getValue().asText())));
                }
            }
        }
        if (apiEvent.path("body").isTextual() && !apiEvent.path("isBase64Encoded").asBoolean(false)) {
            apiEvent.put("body", text(apiEvent.path("body").asText()));
        }
    }

    String header(String name, String value) {
        if (name.equalsIgnoreCase("authorization") && value.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
                String replaced = text(decoded);
                if (!replaced.equals(decoded)) {
                    return "Basic " + Base64.getEncoder().encodeToString(replaced.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException notBase64) {
                // a deliberately malformed header: leave it as it is
            }
        }
        return text(value);
    }

    String text(String s) {
        return s.replace(SAMPLE_KEY, dataImportKey).replace(SAMPLE_TOKEN, currentsToken);
    }
}
