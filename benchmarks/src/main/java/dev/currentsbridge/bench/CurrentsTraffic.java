package dev.currentsbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Synthetic but realistic Currents traffic for the benchmarks: the sample events of {@code events-samples/currents}
 * (one per type) as templates, drawn with weights like a messaging-heavy app's stream (mostly push, e-mail,
 * in-app and session events and custom events, a few purchases with properties), each copy with its own id,
 * user, time and varied values. Seeded: the same seed gives the same bytes.
 */
public final class CurrentsTraffic {

    /** Weights in percent-ish units; every type here is exported by the default selection. */
    public static final Map<String, Integer> MIX = mix();

    /** Share of events without an external user id (anonymous devices): skipped by rule, still decoded. */
    public static final double ANONYMOUS_SHARE = 0.03;

    private static final String[] CUSTOM_NAMES = {"Added To Cart", "Viewed Product", "Search", "Shared", "Level Up"};
    private static final String[] PRODUCTS = {"premium_monthly", "premium_yearly", "coins_500", "coins_1200"};
    private static final long BASE_TIME = 1_764_300_000L;

    private final Random random;
    private final double anonymousShare;
    private final Map<String, ObjectNode> templates = new java.util.LinkedHashMap<>();
    private final String[] draw;
    private long sequence;

    public CurrentsTraffic(long seed) {
        this(seed, ANONYMOUS_SHARE);
    }

    /** {@code anonymousShare} 0 makes every event exportable (the end-to-end comparison counts delivered events). */
    public CurrentsTraffic(long seed, double anonymousShare) {
        this.random = new Random(seed);
        this.anonymousShare = anonymousShare;
        List<String> draw = new ArrayList<>();
        for (Map.Entry<String, Integer> e : MIX.entrySet()) {
            templates.put(e.getKey(), template(e.getKey()));
            for (int i = 0; i < e.getValue(); i++) {
                draw.add(e.getKey());
            }
        }
        this.draw = draw.toArray(String[]::new);
    }

    private static Map<String, Integer> mix() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        m.put("users.messages.pushnotification.Send", 14);
        m.put("users.messages.pushnotification.Open", 4);
        m.put("users.messages.email.Send", 10);
        m.put("users.messages.email.Delivery", 9);
        m.put("users.messages.email.Open", 7);
        m.put("users.messages.email.Click", 2);
        m.put("users.messages.inappmessage.Impression", 8);
        m.put("users.messages.inappmessage.Click", 2);
        m.put("users.behaviors.app.SessionStart", 12);
        m.put("users.behaviors.app.SessionEnd", 10);
        m.put("users.behaviors.CustomEvent", 14);
        m.put("users.behaviors.Purchase", 3);
        m.put("users.messages.contentcard.Impression", 2);
        m.put("users.messages.sms.Delivery", 2);
        m.put("users.canvas.Entry", 1);
        return java.util.Collections.unmodifiableMap(m);
    }

    public static ObjectNode template(String type) {
        String resource = "/bench/currents/" + type + ".json";
        try (InputStream in = CurrentsTraffic.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("sample missing from the benchmarks jar: " + resource);
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next event of the mix in storage form (flat, {@code properties} as a JSON string). */
    public ObjectNode nextStorage() {
        return vary(draw[random.nextInt(draw.length)]);
    }

    /** The next event of one type in storage form. */
    public ObjectNode nextStorage(String type) {
        return vary(type);
    }

    /** {@code n} storage-form events as compact JSON bytes (an SQS message body each). */
    public byte[][] storageBytes(int n) {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = toBytes(nextStorage());
        }
        return out;
    }

    /** {@code n} events as the HTTP connector posts them (compact JSON objects, the elements of {"events":[...]}). */
    public List<String> httpEvents(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(toHttpForm(nextStorage()).toString());
        }
        return out;
    }

    private ObjectNode vary(String type) {
        ObjectNode e = templates.get(type).deepCopy();
        long n = sequence++;
        e.put("id", new UUID(random.nextLong(), random.nextLong()).toString());
        e.put("time", BASE_TIME + n / 50);
        if (random.nextDouble() < anonymousShare) {
            e.putNull("external_user_id");
        } else {
            e.put("external_user_id", "user-" + (100_000 + random.nextInt(400_000)));
        }
        if (e.has("user_id")) {
            e.put("user_id", Long.toHexString(random.nextLong()) + Integer.toHexString(random.nextInt()));
        }
        if (e.has("device_id")) {
            e.put("device_id", new UUID(random.nextLong(), random.nextLong()).toString());
        }
        if (e.has("dispatch_id")) {
            e.put("dispatch_id", Long.toHexString(random.nextLong()));
        }
        if (e.has("session_id")) {
            e.put("session_id", new UUID(random.nextLong(), random.nextLong()).toString());
        }
        switch (type) {
            case "users.behaviors.CustomEvent" -> {
                e.put("name", CUSTOM_NAMES[random.nextInt(CUSTOM_NAMES.length)]);
                e.put("properties", "{\"sku\":\"SKU-" + random.nextInt(10_000) + "\",\"quantity\":" + (1 + random.nextInt(5))
                        + ",\"gift_wrap\":" + random.nextBoolean() + ",\"price_each\":" + (random.nextInt(10_000) / 100.0)
                        + ",\"tags\":[\"summer\",\"sale\"],\"shipping\":{\"method\":\"express\",\"address\":{\"city\":\"Springfield\",\"geo\":{\"lat\":39.78,\"lon\":-89.65}}}}");
            }
            case "users.behaviors.Purchase" -> {
                e.put("product_id", PRODUCTS[random.nextInt(PRODUCTS.length)]);
                e.put("price", (99 + random.nextInt(9_900)) / 100.0);
                e.put("properties", "{\"plan\":\"monthly\",\"trial\":" + random.nextBoolean() + ",\"seats\":" + (1 + random.nextInt(9))
                        + ",\"coupon\":\"SPRING" + random.nextInt(50) + "\"}");
            }
            default -> {
            }
        }
        return e;
    }

    public static byte[] toBytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same event as the HTTP connector sends it (the export tests' conversion, so both agree). */
    public static ObjectNode toHttpForm(JsonNode storage) {
        return dev.currentsbridge.standins.fixtures.CurrentsSamples.toHttpForm(storage);
    }

    // ---- Avro ---------------------------------------------------------------------------------------------

    /**
     * The writer schema Braze would use for the type, inferred from the sample: {@code id} a string, {@code time}
     * an int, every other field a nullable string / long / double / boolean as its sample value suggests (Braze
     * writes almost every field as {@code ["null", T]}); {@code event_type} is not a field (the schema name
     * and the S3 key carry it).
     */
    public static Schema avroSchema(String type) {
        ObjectNode sample = template(type);
        List<Schema.Field> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = sample.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            switch (name) {
                case "event_type" -> {
                }
                case "id" -> fields.add(new Schema.Field(name, Schema.create(Schema.Type.STRING)));
                case "time" -> fields.add(new Schema.Field(name, Schema.create(Schema.Type.INT)));
                default -> {
                    JsonNode v = e.getValue();
                    Schema.Type t = v.isBoolean() ? Schema.Type.BOOLEAN
                            : v.isIntegralNumber() ? Schema.Type.LONG
                            : v.isNumber() ? Schema.Type.DOUBLE
                            : Schema.Type.STRING;
                    fields.add(new Schema.Field(name,
                            Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(t)), null,
                            Schema.Field.NULL_DEFAULT_VALUE));
                }
            }
        }
        return Schema.createRecord("dataexport.S3.inner." + type, null, null, false, fields);
    }

    /** Writes {@code n} events of one type as a Currents Avro container file. */
    public void writeAvro(String type, int n, CodecFactory codec, OutputStream out) throws IOException {
        Schema schema = avroSchema(type);
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            writer.setCodec(codec);
            writer.create(schema, out);
            GenericData.Record record = new GenericData.Record(schema);
            for (int i = 0; i < n; i++) {
                ObjectNode e = vary(type);
                for (Schema.Field f : schema.getFields()) {
                    record.put(f.pos(), avroValue(f, e.get(f.name())));
                }
                writer.append(record);
            }
        }
    }

    public byte[] avroFile(String type, int n, CodecFactory codec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeAvro(type, n, codec, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Object avroValue(Schema.Field field, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        Schema s = field.schema().getType() == Schema.Type.UNION ? field.schema().getTypes().get(1) : field.schema();
        return switch (s.getType()) {
            case INT -> v.intValue();
            case LONG -> v.longValue();
            case DOUBLE -> v.doubleValue();
            case BOOLEAN -> v.booleanValue();
            default -> v.isTextual() ? v.textValue() : v.toString();
        };
    }
}
