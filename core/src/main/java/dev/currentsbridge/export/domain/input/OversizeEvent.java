package dev.currentsbridge.export.domain.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;

/**
 * What stands in the export queue for an HTTP-connector event too large for one queue message (SQS: 256 KB).
 * Braze cannot split a single event, so answering 413 made it retry the same batch and then drop it, leaving no
 * trace; instead the ingest enqueues this record of it (its id, type and size) in its place, and the export
 * function rejects it with reason {@value #REASON} like any other reject (rejects queue, ledger, metrics).
 *
 * <p>Shape: {@code {"currents_bridge_oversize":{"reason":"event_too_large","id":..,"event_type":..,"size_bytes":..,
 * "limit_bytes":..}}}, an element of an ordinary {@code {"events":[...]}} message.
 */
public record OversizeEvent(String id, String eventType, long sizeBytes, long limitBytes) {

    public static final String MARKER = "currents_bridge_oversize";
    public static final String REASON = "event_too_large";
    private static final int MAX_TEXT = 256;

    /** The record of {@code event} (its id and event_type if they are strings, cut to 256 characters). */
    public static OversizeEvent of(JsonNode event, long sizeBytes, long limitBytes) {
        return new OversizeEvent(text(event.get("id")), text(event.get("event_type")), sizeBytes, limitBytes);
    }

    /** True for an element of an HTTP batch that is such a record. */
    public static boolean is(JsonNode element) {
        return element != null && element.isObject() && element.path(MARKER).isObject();
    }

    public String json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode o = root.putObject(MARKER).put("reason", REASON);
        o.put("id", id).put("event_type", eventType).put("size_bytes", sizeBytes).put("limit_bytes", limitBytes);
        return root.toString();
    }

    private static String text(JsonNode n) {
        if (n == null || !n.isTextual()) {
            return null;
        }
        String t = n.textValue();
        return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t;
    }
}
