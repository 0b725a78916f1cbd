package dev.currentsbridge.cohorts.adapter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Builds a DynamoDB UpdateExpression; {@code #name}/{@code #status} stand for reserved words. */
final class UpdateExpression {
    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final List<String> deletes = new ArrayList<>();
    final Map<String, String> names = new HashMap<>();
    final Map<String, AttributeValue> values = new HashMap<>();

    UpdateExpression set(String attr, AttributeValue v) {
        sets.add(attr + " = " + placeholder(attr, v));
        return this;
    }

    UpdateExpression setIfAbsent(String attr, AttributeValue v) {
        sets.add(attr + " = if_not_exists(" + attr + ", " + placeholder(attr, v) + ")");
        return this;
    }

    UpdateExpression setOrRemove(String attr, AttributeValue v) {
        return v == null ? remove(attr) : set(attr, v);
    }

    UpdateExpression remove(String attr) {
        name(attr);
        removes.add(attr);
        return this;
    }

    UpdateExpression add(String attr, AttributeValue v) {
        adds.add(attr + " " + placeholder(attr, v));
        return this;
    }

    /** Removes the elements of set {@code v} from the set attribute {@code attr}. */
    UpdateExpression delete(String attr, AttributeValue v) {
        deletes.add(attr + " " + placeholder(attr, v));
        return this;
    }

    /** A value the condition refers to. */
    UpdateExpression value(String placeholder, AttributeValue v) {
        values.put(placeholder, v);
        return this;
    }

    private String placeholder(String attr, AttributeValue v) {
        name(attr);
        String p = ":v" + values.size();
        values.put(p, v);
        return p;
    }

    private void name(String attr) {
        if (attr.startsWith("#")) {
            names.put(attr, attr.substring(1));
        }
    }

    String expression() {
        StringBuilder sb = new StringBuilder();
        if (!sets.isEmpty()) {
            sb.append("SET ").append(String.join(", ", sets));
        }
        if (!removes.isEmpty()) {
            sb.append(" REMOVE ").append(String.join(", ", removes));
        }
        if (!adds.isEmpty()) {
            sb.append(" ADD ").append(String.join(", ", adds));
        }
        if (!deletes.isEmpty()) {
            sb.append(" DELETE ").append(String.join(", ", deletes));
        }
        return sb.toString().strip();
    }
}
