package dev.currentsbridge.export.domain.decode;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Refuses schemas whose data could nest without bound before any record is decoded: a record that contains
 * itself (data 200,000 levels deep then overflows the stack of the recursive datum reader) or a schema nested
 * deeper than a limit. Currents schemas are flat records of a few levels (maps, arrays, nested records).
 */
final class SchemaShape {

    private final Map<String, Integer> depthOfRecord = new HashMap<>();
    private final int maxDepth;

    private SchemaShape(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    static void check(Schema schema, int maxDepth) throws AvroLimitException {
        new SchemaShape(maxDepth).depth(schema, 1);
    }

    /** How deep {@code schema}'s data can nest below it (memoised per record name, so shared types cost once). */
    private int depth(Schema schema, int level) throws AvroLimitException {
        if (level > maxDepth) {
            throw new AvroLimitException("Avro schema nested deeper than " + maxDepth + " levels");
        }
        return switch (schema.getType()) {
            case RECORD -> recordDepth(schema, level);
            case ARRAY -> 1 + depth(schema.getElementType(), level + 1);
            case MAP -> 1 + depth(schema.getValueType(), level + 1);
            case UNION -> {
                int deepest = 0;
                for (Schema branch : schema.getTypes()) {
                    deepest = Math.max(deepest, depth(branch, level));
                }
                yield deepest;
            }
            default -> 1;
        };
    }

    private int recordDepth(Schema record, int level) throws AvroLimitException {
        String name = record.getFullName();
        Integer known = depthOfRecord.get(name);
        if (known != null) {
            if (known < 0) {
                throw new AvroLimitException("recursive Avro schema (a record contains itself)");
            }
            if (level + known - 1 > maxDepth) {
                throw new AvroLimitException("Avro schema nested deeper than " + maxDepth + " levels");
            }
            return known;
        }
        depthOfRecord.put(name, -1); // on the current path
        int deepest = 0;
        for (Schema.Field field : record.getFields()) {
            deepest = Math.max(deepest, depth(field.schema(), level + 1));
        }
        depthOfRecord.put(name, deepest + 1);
        return deepest + 1;
    }
}
