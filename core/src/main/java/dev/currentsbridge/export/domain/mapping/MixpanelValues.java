package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.decode.JsonValues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a decoded value is written for Mixpanel, shared by events ({@link EventMapper}) and profile updates
 * ({@link ProfileMapper}): depth at most {@value EventMapper#MAX_DEPTH} (deeper containers as compact JSON
 * strings), at most {@value EventMapper#MAX_CONTAINER_SIZE} elements/keys per container, object keys sorted,
 * whole doubles below 2^53 as integers, non-finite numbers as null. Also parses the free-form JSON objects
 * Currents carries as strings (custom event / purchase properties, custom attributes).
 */
final class MixpanelValues {

    private static final double LARGEST_EXACT_WHOLE = 9_007_199_254_740_992d; // 2^53

    private MixpanelValues() {
    }

    /** Writes a property's value (container level 1). */
    static void write(JsonGenerator gen, Object value) throws IOException {
        writeValue(gen, value, 1);
    }

    /**
     * A free-form object field as a Map: null, blank or JSON null give an empty map; a Map is taken as is; a JSON
     * string is parsed. Otherwise a String reason naming {@code field} (never its value).
     */
    static Object parseObject(Object raw, String field) {
        if (raw == null) {
            return Map.of();
        }
        if (raw instanceof Map<?, ?> map) {
            return map;
        }
        if (!(raw instanceof String text)) {
            return "wrong type: " + field;
        }
        if (text.isBlank()) {
            return Map.of();
        }
        try (JsonParser parser = Json.FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.VALUE_NULL) {
                return Map.of();
            }
            if (first != JsonToken.START_OBJECT) {
                return field + " JSON is not an object";
            }
            Object value = JsonValues.read(parser);
            if (parser.nextToken() != null) {
                return "malformed " + field + " JSON";
            }
            return value;
        } catch (IOException | RuntimeException e) {
            return "malformed " + field + " JSON";
        }
    }

    /** Writes a value; {@code level} is the container level it would open (1 for a property's own value). */
    private static void writeValue(JsonGenerator gen, Object value, int level) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Double d) {
            writeDouble(gen, d);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            if (level > EventMapper.MAX_DEPTH) {
                gen.writeString(compactJson(value));
                return;
            }
            gen.writeStartObject();
            List<String> keys = sortedKeys(map);
            int n = Math.min(keys.size(), EventMapper.MAX_CONTAINER_SIZE);
            for (int i = 0; i < n; i++) {
                gen.writeFieldName(keys.get(i));
                writeValue(gen, map.get(keys.get(i)), level + 1);
            }
            gen.writeEndObject();
        } else if (value instanceof List<?> list) {
            if (level > EventMapper.MAX_DEPTH) {
                gen.writeString(compactJson(value));
                return;
            }
            gen.writeStartArray();
            int n = Math.min(list.size(), EventMapper.MAX_CONTAINER_SIZE);
            for (int i = 0; i < n; i++) {
                writeValue(gen, list.get(i), level + 1);
            }
            gen.writeEndArray();
        } else if (value instanceof Number number) {
            // Integer/Float etc. from a hand-built CurrentsEvent: same rules as the decoders' values
            if (value instanceof Float f) {
                writeDouble(gen, Double.parseDouble(Float.toString(f)));
            } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                gen.writeNumber(number.longValue());
            } else {
                writeDouble(gen, number.doubleValue());
            }
        } else {
            gen.writeString(value.toString());
        }
    }

    private static void writeDouble(JsonGenerator gen, double d) throws IOException {
        if (!Double.isFinite(d)) {
            gen.writeNull();
        } else if (d == Math.rint(d) && Math.abs(d) < LARGEST_EXACT_WHOLE) {
            gen.writeNumber((long) d);
        } else {
            gen.writeNumber(d);
        }
    }

    /** A too-deep value as a JSON string: same key order and element rules, no depth limit. */
    private static String compactJson(Object value) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            writeValue(gen, value, Integer.MIN_VALUE);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    static List<String> sortedKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
            keys.add(String.valueOf(key));
        }
        keys.sort(null);
        return keys;
    }
}
