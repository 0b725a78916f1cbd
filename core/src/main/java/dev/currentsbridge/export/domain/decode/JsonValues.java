package dev.currentsbridge.export.domain.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JSON into the plain Java values {@link dev.currentsbridge.export.domain.CurrentsEvent#fields()} holds,
 * with one number rule for every input form so that the same event maps to the same bytes: integers that fit
 * a long are {@link Long}, every other number is {@link Double}; non-finite doubles become null (JSON cannot
 * carry them, so only Avro could produce them and they would break byte-identity).
 */
public final class JsonValues {

    private JsonValues() {
    }

    /** A JSON tree value as String, Long, Double, Boolean, List, Map or null. */
    public static Object fromNode(JsonNode node) {
        if (node == null) {
            return null;
        }
        return switch (node.getNodeType()) {
            case STRING -> node.textValue();
            case NUMBER -> fromNumberNode(node);
            case BOOLEAN -> node.booleanValue();
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>(mapCapacity(node.size()));
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), fromNode(e.getValue()));
                }
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(fromNode(element));
                }
                yield list;
            }
            case BINARY -> node.asText();
            default -> null; // NULL, MISSING, POJO
        };
    }

    private static Object fromNumberNode(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : finiteOrNull(node.doubleValue());
        }
        return finiteOrNull(node.doubleValue());
    }

    /**
     * Reads the next JSON value from a streaming parser positioned on its first token (the same value rules
     * as {@link #fromNode}), without building a tree: used for the JSON-encoded custom/purchase properties.
     */
    public static Object read(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw new IOException("no JSON value");
        }
        return switch (token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> {
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    BigInteger big = parser.getBigIntegerValue();
                    yield finiteOrNull(big.doubleValue());
                }
                yield parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> finiteOrNull(parser.getDoubleValue());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    parser.nextToken();
                    map.put(key, read(parser));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(parser));
                }
                yield list;
            }
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }

    /** The common rule for floating-point values from any form. */
    public static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    static int mapCapacity(int size) {
        return Math.max(4, (int) (size / 0.75f) + 1);
    }
}
