package dev.currentsbridge.export.domain.decode;

import dev.currentsbridge.export.domain.input.OversizeEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.domain.CurrentsEvent;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes Currents events that arrive as JSON: the flat storage form (one event per SQS message, fields as in
 * the Avro records) and the HTTP-connector form ({@code {"events":[...]}} with {@code user} and
 * {@code properties} objects). Both end up as the same {@link CurrentsEvent}, so the mapper cannot tell them
 * apart. Stateless and thread-safe.
 *
 * <p>Null-valued fields are left out of {@link CurrentsEvent#fields()} (the mapper leaves absent and null
 * alike out), which keeps the three forms equal when one writes {@code null} and another omits the field.
 */
public final class CurrentsJsonDecoder {

    public static final String FIELD_EVENT_TYPE = "event_type";
    public static final String FIELD_ID = "id";
    public static final String FIELD_TIME = "time";
    public static final String FIELD_EXTERNAL_USER_ID = "external_user_id";
    /** Key under which custom-event and purchase properties go into {@link CurrentsEvent#fields()}. */
    public static final String FIELD_PROPERTIES = "properties";

    private static final String HTTP_USER = "user";
    private static final String HTTP_PROPERTIES = "properties";
    private static final String HTTP_CUSTOM_PROPERTIES = "custom_properties";
    private static final String HTTP_PURCHASE_PROPERTIES = "purchase_properties";

    /** True for {@code {"events":[...]}}, the HTTP connector's envelope. */
    public static boolean looksLikeHttpBatch(JsonNode node) {
        return node != null && node.isObject() && node.path("events").isArray();
    }

    /**
     * True for a flat storage-form event: an object with {@code id} and {@code time} and no HTTP-form
     * {@code user} / {@code properties} objects.
     */
    public static boolean looksLikeStorageEvent(JsonNode node) {
        return node != null && node.isObject()
                && node.has(FIELD_ID) && node.has(FIELD_TIME)
                && !node.path(HTTP_USER).isObject()
                && !node.path(HTTP_PROPERTIES).isObject()
                && !node.has("events");
    }

    /**
     * Decodes one storage-form event. The type is the object's {@code event_type} field when present, else
     * {@code eventTypeHint} (e.g. the SQS message attribute). Problems go to {@code sink.reject} with index -1.
     */
    public void decodeStorage(JsonNode node, String eventTypeHint, EventSink sink) {
        if (node == null || !node.isObject()) {
            sink.reject(new DecodeFailure(-1, "not a JSON object", raw(node)));
            return;
        }
        JsonNode typeNode = node.get(FIELD_EVENT_TYPE);
        String type;
        if (typeNode == null || typeNode.isNull()) {
            type = eventTypeHint;
        } else if (typeNode.isTextual()) {
            type = typeNode.textValue();
        } else {
            sink.reject(new DecodeFailure(-1, "wrong type: event_type", raw(node)));
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>(JsonValues.mapCapacity(node.size()));
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            putField(fields, e.getKey(), e.getValue());
        }
        emit(-1, type, node.get(FIELD_ID), node.get(FIELD_TIME), node.get(FIELD_EXTERNAL_USER_ID), fields, node, sink);
    }

    /**
     * Decodes an HTTP-connector batch {@code {"events":[...]}}: every good element is accepted, every bad one
     * rejected individually with its array index.
     *
     * @throws MalformedInputException when the envelope itself is not {@code {"events":[array]}}
     */
    public void decodeHttpBatch(JsonNode node, EventSink sink) throws MalformedInputException {
        if (!looksLikeHttpBatch(node)) {
            throw new MalformedInputException("expected a JSON object {\"events\":[...]}");
        }
        JsonNode events = node.get("events");
        for (int i = 0; i < events.size(); i++) {
            decodeHttpEvent(events.get(i), i, sink);
        }
    }

    /** Decodes one HTTP-connector event; {@code index} is its position in the batch (-1 if none). */
    public void decodeHttpEvent(JsonNode element, long index, EventSink sink) {
        if (OversizeEvent.is(element)) {
            // the ingest's record of an event too large for a queue message: a reject, with its id/type/size
            sink.reject(new DecodeFailure(index, OversizeEvent.REASON, raw(element)));
            return;
        }
        if (element == null || !element.isObject()) {
            sink.reject(new DecodeFailure(index, "not a JSON object", raw(element)));
            return;
        }
        JsonNode typeNode = element.get(FIELD_EVENT_TYPE);
        if (typeNode == null || typeNode.isNull()) {
            sink.reject(new DecodeFailure(index, "missing field: event_type", raw(element)));
            return;
        }
        if (!typeNode.isTextual()) {
            sink.reject(new DecodeFailure(index, "wrong type: event_type", raw(element)));
            return;
        }
        JsonNode user = element.get(HTTP_USER);
        JsonNode properties = element.get(HTTP_PROPERTIES);
        if (user != null && !user.isNull() && !user.isObject()) {
            sink.reject(new DecodeFailure(index, "wrong type: user", raw(element)));
            return;
        }
        if (properties != null && !properties.isNull() && !properties.isObject()) {
            sink.reject(new DecodeFailure(index, "wrong type: properties", raw(element)));
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = element.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals(HTTP_USER) && !e.getKey().equals(HTTP_PROPERTIES)) {
                putField(fields, e.getKey(), e.getValue());
            }
        }
        JsonNode externalUserId = element.get(FIELD_EXTERNAL_USER_ID);
        if (user != null && user.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                putField(fields, e.getKey(), e.getValue());
            }
            if (user.has(FIELD_EXTERNAL_USER_ID)) {
                externalUserId = user.get(FIELD_EXTERNAL_USER_ID);
            }
        }
        if (properties != null && properties.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                if (key.equals(HTTP_CUSTOM_PROPERTIES) || key.equals(HTTP_PURCHASE_PROPERTIES)) {
                    JsonNode value = e.getValue();
                    if (!value.isNull() && !value.isObject() && !value.isTextual()) {
                        sink.reject(new DecodeFailure(index, "wrong type: properties." + key, raw(element)));
                        return;
                    }
                    putField(fields, FIELD_PROPERTIES, value);
                } else {
                    putField(fields, key, e.getValue());
                }
            }
        }
        emit(index, typeNode.textValue(), element.get(FIELD_ID), element.get(FIELD_TIME), externalUserId, fields,
                element, sink);
    }

    private static void putField(Map<String, Object> fields, String key, JsonNode value) {
        switch (key) {
            case FIELD_EVENT_TYPE, FIELD_ID, FIELD_TIME, FIELD_EXTERNAL_USER_ID -> {
                // carried by the CurrentsEvent components, not by fields
            }
            default -> {
                Object converted = JsonValues.fromNode(value);
                if (converted != null) {
                    fields.put(key, converted);
                }
            }
        }
    }

    private static void emit(long index, String type, JsonNode id, JsonNode time, JsonNode externalUserId,
                             Map<String, Object> fields, JsonNode rawNode, EventSink sink) {
        String reason = null;
        if (type == null || type.isBlank()) {
            reason = "missing event type";
        } else if (id == null || id.isNull()) {
            reason = "missing field: id";
        } else if (!id.isTextual() || id.textValue().isEmpty()) {
            reason = "wrong type: id";
        } else if (time == null || time.isNull()) {
            reason = "missing field: time";
        } else if (!isWholeNumber(time)) {
            reason = "wrong type: time";
        } else if (externalUserId != null && !externalUserId.isNull() && !externalUserId.isTextual()) {
            reason = "wrong type: external_user_id";
        }
        if (reason != null) {
            sink.reject(new DecodeFailure(index, reason, raw(rawNode)));
            return;
        }
        String external = externalUserId == null || externalUserId.isNull() ? null : externalUserId.textValue();
        sink.accept(new CurrentsEvent(type, id.textValue(), time.longValue(), external, fields));
    }

    /** Integral JSON numbers that fit a long, and floating ones with no fraction (1.7E9). */
    private static boolean isWholeNumber(JsonNode time) {
        if (time.isIntegralNumber()) {
            return time.canConvertToLong();
        }
        if (time.isFloatingPointNumber()) {
            double d = time.doubleValue();
            return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15;
        }
        return false;
    }

    private static String raw(JsonNode node) {
        return node == null ? null : node.toString();
    }
}
