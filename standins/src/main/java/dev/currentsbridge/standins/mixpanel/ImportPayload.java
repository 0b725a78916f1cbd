package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** An {@code /import} body: a JSON array of events or NDJSON (one event a line), both documented. */
final class ImportPayload {

    /** One event with the bytes it took in the body (Mixpanel limits each event to under 1 MB). */
    record Event(JsonNode node, long bytes) {
    }

    private ImportPayload() {
    }

    static boolean isArray(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    /** The events, or an IOException when the body is neither a JSON array nor NDJSON. */
    static List<Event> parse(byte[] body) throws IOException {
        List<Event> events = new ArrayList<>();
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            JsonToken first = p.nextToken();
            boolean array = first == JsonToken.START_ARRAY;
            JsonToken t = array ? p.nextToken() : first;
            while (t != null && t != JsonToken.END_ARRAY) {
                long from = p.currentTokenLocation().getByteOffset();
                JsonNode node = p.readValueAsTree();
                events.add(new Event(node == null ? Json.MAPPER.nullNode() : node,
                        p.currentLocation().getByteOffset() - from));
                t = p.nextToken();
            }
            if (array && (t == null || p.nextToken() != null)) {
                throw new IOException("not one JSON array");
            }
        }
        return events;
    }
}
