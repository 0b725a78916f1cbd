package dev.currentsbridge.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded hostile-input generators for fuzzing: byte-level mutations (flips, cuts, splices, varint bombs),
 * JSON-tree mutations (wrong types, huge numbers, deep nesting, long strings, many fields, removed fields) and
 * random JSON documents. Everything is driven by the caller's {@link Random}, so a failing case replays from its seed.
 */
public final class Mutations {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Writes hostile trees as they are: the production mapper's write limits would refuse some of them. */
    private static final ObjectMapper WRITER = new ObjectMapper();
    /** Bytes that tend to break parsers: zero, sign bits, varint continuation, quotes, braces, escapes. */
    private static final byte[] INTERESTING = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, '"', '\\',
            '{', '}', '[', ']', ',', ':', '-', '0', '9', 'e', 'E', '.', '\n', (byte) 0xc3, (byte) 0xed};

    private Mutations() {
    }

    // ---- bytes ----------------------------------------------------------------------------------------------

    /** One to {@code maxOps} random byte-level edits of {@code in} (never modifies {@code in}). */
    public static byte[] mutateBytes(Random r, byte[] in, int maxOps) {
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(maxOps);
        for (int i = 0; i < ops; i++) {
            b = mutateOnce(r, b);
        }
        return b;
    }

    private static byte[] mutateOnce(Random r, byte[] b) {
        if (b.length == 0) {
            return randomBytes(r, 1 + r.nextInt(16));
        }
        int at = r.nextInt(b.length);
        switch (r.nextInt(9)) {
            case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[at] = (byte) r.nextInt(256);
            case 2 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
            case 3 -> { // truncate
                return Arrays.copyOf(b, at);
            }
            case 4 -> { // delete a range
                int len = Math.min(b.length - at, 1 + r.nextInt(32));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 5 -> { // duplicate a range
                int len = Math.min(b.length - at, 1 + r.nextInt(64));
                return splice(b, at, Arrays.copyOfRange(b, at, at + len));
            }
            case 6 -> { // insert random bytes
                return splice(b, at, randomBytes(r, 1 + r.nextInt(16)));
            }
            case 7 -> { // a huge or negative zig-zag varint (Avro lengths and counts)
                byte[] varint = r.nextBoolean()
                        ? new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f}
                        : new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x01};
                int len = Math.min(varint.length, b.length - at);
                System.arraycopy(varint, 0, b, at, len);
            }
            default -> { // swap two bytes
                int other = r.nextInt(b.length);
                byte t = b[at];
                b[at] = b[other];
                b[other] = t;
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    public static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    // ---- JSON trees -----------------------------------------------------------------------------------------

    /** A deep copy of {@code in} with one to {@code maxOps} hostile edits at random places. */
    public static JsonNode mutateTree(Random r, JsonNode in, int maxOps) {
        JsonNode root = in.deepCopy();
        int ops = 1 + r.nextInt(maxOps);
        for (int i = 0; i < ops; i++) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(root, containers);
            if (containers.isEmpty()) {
                return hostileValue(r);
            }
            JsonNode target = containers.get(r.nextInt(containers.size()));
            if (target instanceof ObjectNode o) {
                mutateObject(r, o);
            } else if (target instanceof ArrayNode a) {
                mutateArray(r, a);
            }
        }
        return root;
    }

    private static void collectContainers(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.elements().forEachRemaining(c -> collectContainers(c, out));
        }
    }

    private static void mutateObject(Random r, ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        String name = names.isEmpty() || r.nextInt(5) == 0 ? hostileKey(r) : names.get(r.nextInt(names.size()));
        switch (r.nextInt(6)) {
            case 0 -> o.remove(name);
            case 1 -> { // many fields: pushes past Mixpanel's 255 properties
                int n = 200 + r.nextInt(400);
                for (int i = 0; i < n; i++) {
                    o.put("f" + i + "_" + r.nextInt(1000), r.nextInt());
                }
            }
            default -> o.set(name, hostileValue(r));
        }
    }

    private static void mutateArray(Random r, ArrayNode a) {
        switch (r.nextInt(4)) {
            case 0 -> {
                if (!a.isEmpty()) {
                    a.remove(r.nextInt(a.size()));
                }
            }
            case 1 -> a.add(hostileValue(r));
            case 2 -> { // many elements
                int n = 300 + r.nextInt(1000);
                for (int i = 0; i < n; i++) {
                    a.add(i);
                }
            }
            default -> {
                if (!a.isEmpty()) {
                    a.set(r.nextInt(a.size()), hostileValue(r));
                }
            }
        }
    }

    private static String hostileKey(Random r) {
        return RandomCases.oneOf(r,
                () -> "",
                () -> "$insert_id",
                () -> "distinct_id",
                () -> "time",
                () -> "id",
                () -> "event_type",
                () -> "external_user_id",
                () -> "properties",
                () -> "user",
                () -> "custom_properties",
                () -> RandomCases.anyString(r, 40),
                () -> "k".repeat(1 + r.nextInt(5000)));
    }

    /** A value of a random, usually unexpected, kind. */
    public static JsonNode hostileValue(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.numberNode(r.nextLong());
            case 3 -> F.numberNode(RandomCases.oneOf(r, List.of(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE,
                    -0.0, 1.7e9, 1.5, 1e300, 4.9e-324)));
            case 4 -> F.numberNode(new BigInteger(1 + r.nextInt(300), r)); // beyond long: up to ~90 digits
            case 5 -> F.numberNode(new BigDecimal(new BigInteger(1 + r.nextInt(300), r), r.nextInt(400) - 200));
            case 6 -> F.textNode(RandomCases.anyString(r, 64));
            case 7 -> F.textNode("x".repeat(r.nextInt(200_000)));
            case 8 -> nested(r, 1 + r.nextInt(80));
            case 9 -> F.textNode(RandomCases.oneOf(r, List.of("", " ", "null", "{}", "[]", "{\"a\":", "1e999",
                    "\u0000", "\ud800", "jane.doe@example.com", "+14155550100", "1764301918", "-1", "NaN")));
            case 10 -> F.numberNode(RandomCases.oneOf(r, List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1764301918L,
                    1764301918000L, 31_536_000L, 253_402_300_800L)));
            case 11 -> {
                ObjectNode o = F.objectNode();
                int n = r.nextInt(4) == 0 ? 300 + r.nextInt(300) : r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    o.set("p" + i, r.nextBoolean() ? F.numberNode(i) : F.textNode("v" + i));
                }
                yield o;
            }
            case 12 -> {
                ArrayNode a = F.arrayNode();
                int n = r.nextInt(4) == 0 ? 300 + r.nextInt(300) : r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(r.nextBoolean() ? F.numberNode(i) : F.textNode("e" + i));
                }
                yield a;
            }
            case 13 -> F.textNode(randomJson(r, 3)); // JSON inside a string (custom properties are)
            case 14 -> F.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(40)));
            default -> F.objectNode().set("properties", nested(r, 1 + r.nextInt(10)));
        };
    }

    /** Arrays and objects nested {@code depth} deep. */
    public static JsonNode nested(Random r, int depth) {
        JsonNode n = F.textNode("leaf");
        for (int i = 0; i < depth; i++) {
            n = r.nextBoolean() ? F.arrayNode().add(n) : F.objectNode().set("k" + (i % 3), n);
        }
        return n;
    }

    /** The tree as JSON bytes, whatever its depth. */
    public static byte[] toBytes(JsonNode n) {
        try {
            return WRITER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random JSON document as text (valid JSON), at most {@code depth} deep. */
    public static String randomJson(Random r, int depth) {
        return randomTree(r, depth).toString();
    }

    public static JsonNode randomTree(Random r, int depth) {
        if (depth <= 0 || r.nextInt(3) == 0) {
            return switch (r.nextInt(5)) {
                case 0 -> F.nullNode();
                case 1 -> F.booleanNode(r.nextBoolean());
                case 2 -> F.numberNode(r.nextInt(2000) - 1000);
                case 3 -> F.numberNode(r.nextGaussian() * 1e6);
                default -> F.textNode(RandomCases.anyString(r, 12));
            };
        }
        if (r.nextBoolean()) {
            ArrayNode a = F.arrayNode();
            for (int i = r.nextInt(5); i > 0; i--) {
                a.add(randomTree(r, depth - 1));
            }
            return a;
        }
        ObjectNode o = F.objectNode();
        for (int i = r.nextInt(5); i > 0; i--) {
            o.set(hostileKeyShort(r), randomTree(r, depth - 1));
        }
        return o;
    }

    private static String hostileKeyShort(Random r) {
        return RandomCases.oneOf(r, List.of("action", "parameters", "members", "events", "id", "time", "user",
                "properties", "cohort_id", "cohort_changes", "user_ids", "client_secret", "name", "created_at",
                "mixpanel_cohort_id", "mixpanel_session_id", "page_info", "total_pages", "page_count",
                "mixpanel_distinct_id", "should_remove", "aliases", "device_ids", "x"));
    }
}
