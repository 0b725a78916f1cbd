package dev.currentsbridge.export.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Test fixtures for the export domain: the sample Currents events of {@code events-samples/currents/}, their
 * HTTP-connector and Avro forms, and Avro writer schemas built from the spec's storage fields (section C).
 */
public final class CurrentsSamples {

    /** Fields the HTTP connector carries under {@code user} rather than {@code properties}. */
    private static final Set<String> HTTP_USER_FIELDS = Set.of("user_id", "external_user_id", "device_id", "timezone");
    private static final Map<String, List<String[]>> STORAGE_FIELDS = loadStorageFields();

    private CurrentsSamples() {
    }

    public static Path samplesDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("events-samples/currents");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("events-samples/currents not found above " + Path.of("").toAbsolutePath());
    }

    /** Every Currents type that has a storage-form sample ({@code <type>.json}). */
    public static List<String> sampleTypes() {
        try (Stream<Path> files = Files.list(samplesDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && !n.startsWith("http-"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode storageSample(String type) {
        return (ObjectNode) readJson(samplesDir().resolve(type + ".json"));
    }

    public static JsonNode readJson(Path path) {
        try {
            return Json.MAPPER.readTree(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String resourceText(String name) {
        try (InputStream in = CurrentsSamples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same event as the HTTP connector sends it: user fields under user, the rest under properties. */
    public static ObjectNode toHttpForm(JsonNode storage) {
        ObjectNode http = Json.MAPPER.createObjectNode();
        ObjectNode user = Json.MAPPER.createObjectNode();
        ObjectNode properties = Json.MAPPER.createObjectNode();
        String type = storage.get("event_type").asText();
        for (Iterator<Map.Entry<String, JsonNode>> it = storage.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            switch (key) {
                case "event_type", "id", "time" -> http.set(key, e.getValue());
                case "properties" -> {
                    String objectKey = type.endsWith("Purchase") ? "purchase_properties" : "custom_properties";
                    try {
                        properties.set(objectKey, Json.MAPPER.readTree(e.getValue().asText()));
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
                default -> (HTTP_USER_FIELDS.contains(key) ? user : properties).set(key, e.getValue());
            }
        }
        http.set("user", user);
        http.set("properties", properties);
        return http;
    }

    /** Storage fields of a type as [name, type] pairs, in section C order. */
    public static List<String[]> storageFields(String type) {
        List<String[]> fields = STORAGE_FIELDS.get(type);
        if (fields == null) {
            throw new IllegalArgumentException("no storage fields for " + type);
        }
        return fields;
    }

    public static Set<String> storageTypes() {
        return STORAGE_FIELDS.keySet();
    }

    /**
     * A writer schema for the type from section C, named like Braze's ({@code dataexport.S3.inner.<type>}).
     *
     * @param longTime   write {@code time} as long even where section C says int
     * @param extraField append a field no decoder knows ({@code brand_new_field}, nullable string)
     */
    public static Schema writerSchema(String type, boolean longTime, boolean extraField) {
        List<Schema.Field> fields = new ArrayList<>();
        for (String[] f : storageFields(type)) {
            String spec = f[1];
            if (f[0].equals("time") && longTime) {
                spec = "long";
            }
            boolean nullable = spec.endsWith("?");
            Schema schema = avroType(nullable ? spec.substring(0, spec.length() - 1) : spec);
            fields.add(nullable
                    ? new Schema.Field(f[0], Schema.createUnion(Schema.create(Schema.Type.NULL), schema), null, Schema.Field.NULL_DEFAULT_VALUE)
                    : new Schema.Field(f[0], schema));
        }
        if (extraField) {
            fields.add(new Schema.Field("brand_new_field",
                    Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)), null,
                    Schema.Field.NULL_DEFAULT_VALUE));
        }
        return Schema.createRecord("dataexport.S3.inner." + type, null, null, false, fields);
    }

    private static Schema avroType(String spec) {
        if (spec.endsWith("?")) {
            return Schema.createUnion(Schema.create(Schema.Type.NULL), avroType(spec.substring(0, spec.length() - 1)));
        }
        if (spec.startsWith("array<")) {
            return Schema.createArray(avroType(spec.substring("array<".length(), spec.length() - 1)));
        }
        return switch (spec) {
            case "string" -> Schema.create(Schema.Type.STRING);
            case "int" -> Schema.create(Schema.Type.INT);
            case "long" -> Schema.create(Schema.Type.LONG);
            case "float" -> Schema.create(Schema.Type.FLOAT);
            case "double" -> Schema.create(Schema.Type.DOUBLE);
            case "boolean" -> Schema.create(Schema.Type.BOOLEAN);
            default -> throw new IllegalArgumentException("unknown storage type " + spec);
        };
    }

    /** The storage-form JSON event as a record of the schema (Utf8 strings, Float floats, like Avro reads them). */
    public static GenericRecord toRecord(Schema schema, JsonNode storage) {
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = storage.get(field.name());
            if (field.name().equals("brand_new_field")) {
                record.put(field.pos(), new Utf8("added by Braze later"));
            } else {
                record.put(field.pos(), toAvro(field.schema(), value));
            }
        }
        return record;
    }

    private static Object toAvro(Schema schema, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        return switch (schema.getType()) {
            case UNION -> toAvro(schema.getTypes().get(1), value);
            case STRING -> new Utf8(value.asText());
            case INT -> value.intValue();
            case LONG -> value.longValue();
            case FLOAT -> (float) value.doubleValue();
            case DOUBLE -> value.doubleValue();
            case BOOLEAN -> value.booleanValue();
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonNode element : value) {
                    list.add(toAvro(schema.getElementType(), element));
                }
                yield new GenericData.Array<>(schema, list);
            }
            default -> throw new IllegalArgumentException("unsupported " + schema.getType());
        };
    }

    public static byte[] avroFile(Schema schema, List<GenericRecord> records, CodecFactory codec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            writer.setCodec(codec);
            writer.create(schema, out);
            for (GenericRecord record : records) {
                writer.append(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Map<String, List<String[]>> loadStorageFields() {
        Map<String, List<String[]>> result = new LinkedHashMap<>();
        for (String line : resourceText("/currents/storage-fields.md").split("\n")) {
            if (!line.startsWith("- **")) {
                continue;
            }
            int end = line.indexOf("**", 4);
            String type = line.substring(4, end);
            List<String[]> fields = new ArrayList<>();
            for (String f : line.substring(end + 3).trim().split(", ")) {
                int colon = f.indexOf(':');
                fields.add(new String[]{f.substring(0, colon).trim(), f.substring(colon + 1).trim()});
            }
            result.put(type, fields);
        }
        return result;
    }

    /** Collects what a decoder emits. */
    public static final class CollectingSink implements EventSink {
        public final List<CurrentsEvent> accepted = new ArrayList<>();
        public final List<DecodeFailure> rejected = new ArrayList<>();

        @Override
        public void accept(CurrentsEvent event) {
            accepted.add(event);
        }

        @Override
        public void reject(DecodeFailure failure) {
            rejected.add(failure);
        }
    }
}
