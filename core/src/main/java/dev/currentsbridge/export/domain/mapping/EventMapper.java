package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.JsonValues;
import dev.currentsbridge.export.domain.mapping.MappingResult.Invalid;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;
import dev.currentsbridge.export.domain.mapping.MappingResult.Skipped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps one {@link CurrentsEvent} to the Mixpanel {@code /import} form, following the {@link MappingTable} and a
 * {@link MappingConfig}. Built once per process; immutable and thread-safe.
 *
 * <h2>Output</h2>
 * {@code {"event":<name>,"properties":{...}}} written straight to bytes, properties in this fixed order so that
 * the same event gives the same bytes whatever form it arrived in:
 * <ol>
 *   <li>{@code time} (event seconds * 1000: milliseconds), {@code distinct_id} (as the {@link IdentityMode}
 *       says; by default the external user id), {@code $insert_id} ({@link InsertIds}, the same in every
 *       identity mode), {@code ip} = 0 (stops Mixpanel from geolocating the Lambda's own address);</li>
 *   <li>the identity mode's properties that have a value ({@code $user_id}, {@code $device_id} in
 *       {@code simplified} mode; none by default);</li>
 *   <li>the table's properties in table order, renamed as the table says, null/absent ones left out;</li>
 *   <li>custom-event / purchase properties with their seed prefix, sorted by key (String order).</li>
 * </ol>
 *
 * <h2>Mixpanel limits (applied here so that an event is never refused for its shape)</h2>
 * <ul>
 *   <li>Fewer than 255 properties: when the fixed and table properties leave less room than there are
 *       custom/purchase properties, the ones sorted last are dropped.</li>
 *   <li>Nesting depth at most 3: a property value that is an object or array is level 1, containers inside it
 *       level 2, inside those level 3; a container that would sit at level 4 is written as its compact JSON
 *       string instead.</li>
 *   <li>Arrays and nested objects fewer than 255 elements/keys: only the first 254 are kept (objects: by sorted
 *       key; object keys are always written sorted).</li>
 *   <li>Numbers: whole doubles below 2^53 are written as integers ({@code 10.0} and {@code 10} are one value
 *       for Mixpanel, and JSON inputs carry one where Avro carries the other).</li>
 * </ul>
 */
public final class EventMapper {

    /** Mixpanel accepts fewer than 255 properties per event, keys per object and elements per array. */
    public static final int MAX_PROPERTIES = 254;
    public static final int MAX_CONTAINER_SIZE = 254;
    public static final int MAX_DEPTH = 3;
    /** 1971-01-01T00:00:00Z: Mixpanel rejects anything earlier. */
    public static final long MIN_TIME_SECONDS = 31_536_000L;
    /** 9999-12-31T23:59:59Z: beyond it the millisecond value stops being a sane date. */
    public static final long MAX_TIME_SECONDS = 253_402_300_799L;

    /** Values Mixpanel refuses as {@code distinct_id} (compared trimmed and case-insensitively). */
    static final Set<String> PLACEHOLDER_DISTINCT_IDS = IdentitySource.PLACEHOLDERS;

    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString PROPERTIES = new SerializedString("properties");
    private static final SerializedString TIME = new SerializedString("time");
    private static final SerializedString DISTINCT_ID = new SerializedString("distinct_id");
    private static final SerializedString INSERT_ID = new SerializedString("$insert_id");
    private static final SerializedString IP = new SerializedString("ip");
    private static final int FIXED_PROPERTIES = 4;
    private static final double LARGEST_EXACT_WHOLE = 9_007_199_254_740_992d; // 2^53

    private final Map<String, CompiledType> selected;
    private final IdentityResolver identity;

    public EventMapper(MappingConfig config) {
        this(MappingTable.standard(), config);
    }

    public EventMapper(MappingConfig config, IdentityConfig identity) {
        this(MappingTable.standard(), config, identity);
    }

    public EventMapper(MappingTable table, MappingConfig config) {
        this(table, config, IdentityConfig.DEFAULT);
    }

    public EventMapper(MappingTable table, MappingConfig config, IdentityConfig identity) {
        this.identity = new IdentityResolver(identity);
        Map<String, CompiledType> compiled = new HashMap<>();
        for (String type : config.selectedTypes()) {
            TypeMapping row = table.find(type);
            if (row == null) {
                throw new IllegalArgumentException("unknown Currents event type '" + type + "'");
            }
            compiled.put(type, new CompiledType(row, config.nameOverrides().getOrDefault(type, row.mixpanelName())));
        }
        this.selected = Map.copyOf(compiled);
    }

    /**
     * Runs the mapping code once per selected type on synthetic events (nothing leaves the process), so that
     * a SnapStart snapshot taken afterwards holds loaded classes, Jackson's caches and warm code paths.
     *
     * @return how many synthetic events were mapped (one per selected type)
     */
    public int warmUp() {
        int mapped = 0;
        Map<String, Object> fields = new HashMap<>();
        fields.put("name", "Warm Up");
        fields.put(CurrentsJsonDecoder.FIELD_PROPERTIES, "{\"list\":[1,2.5,\"x\"],\"nested\":{\"a\":{\"b\":{\"c\":{}}}}}");
        fields.put("app_id", "warm-up");
        fields.put("device_id", "warm-up-device");
        for (String type : selected.keySet()) {
            if (map(new CurrentsEvent(type, "warm-up-" + type, MIN_TIME_SECONDS, "warm-up-user", fields)) instanceof Mapped) {
                mapped++;
            }
        }
        return mapped;
    }

    public boolean isSelected(String currentsType) {
        return currentsType != null && selected.containsKey(currentsType);
    }

    /** Never throws for any event; problems come back as {@link Invalid}. */
    public MappingResult map(CurrentsEvent event) {
        String type = event.type();
        CompiledType compiled = type == null ? null : selected.get(type);
        if (compiled == null) {
            return new Skipped(type, SkipReason.TYPE_NOT_SELECTED);
        }
        Map<String, Object> fields = event.fields() == null ? Map.of() : event.fields();
        IdentityResolver.Identified who;
        switch (identity.resolve(event, fields)) {
            case IdentityResolver.Identified identified -> who = identified;
            case IdentityResolver.Unidentified unidentified -> {
                return new Skipped(type, unidentified.reason());
            }
            case IdentityResolver.Refused refused -> {
                return new Invalid(type, refused.reason());
            }
        }
        if (event.id() == null || event.id().isEmpty()) {
            return new Invalid(type, "missing id");
        }
        long seconds = event.timeSeconds();
        if (seconds < MIN_TIME_SECONDS) {
            return new Invalid(type, "time before 1971-01-01");
        }
        if (seconds > MAX_TIME_SECONDS) {
            return new Invalid(type, "time after 9999-12-31");
        }

        String eventName = compiled.eventName;
        if (compiled.row.extra() == ExtraProperties.CUSTOM_EVENT) {
            Object name = fields.get("name");
            if (!(name instanceof String s) || s.isBlank()) {
                return new Invalid(type, "missing custom event name");
            }
            eventName = eventName + " " + s;
        }
        Map<String, Object> extra = Map.of();
        if (compiled.row.extra() != ExtraProperties.NONE) {
            Object raw = fields.get(CurrentsJsonDecoder.FIELD_PROPERTIES);
            Object parsed = extraProperties(raw);
            if (parsed instanceof String reason) {
                return new Invalid(type, reason);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) parsed;
            extra = map;
        }
        String insertId = InsertIds.fromCurrentsId(event.id());
        byte[] json;
        try {
            json = write(compiled, eventName, seconds * 1000L, who, insertId, fields, extra);
        } catch (IOException e) {
            // writing to memory only fails on values Jackson refuses; reject the event rather than the batch
            return new Invalid(type, "cannot serialise event: " + e.getClass().getSimpleName());
        }
        return new Mapped(type, eventName, insertId, json);
    }

    /** The free-form properties as a Map, or a String reason when unusable. */
    private static Object extraProperties(Object raw) {
        if (raw == null) {
            return Map.of();
        }
        if (raw instanceof Map<?, ?> map) {
            return map;
        }
        if (!(raw instanceof String text)) {
            return "wrong type: properties";
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
                return "properties JSON is not an object";
            }
            Object value = JsonValues.read(parser);
            if (parser.nextToken() != null) {
                return "malformed properties JSON";
            }
            return value;
        } catch (IOException | RuntimeException e) {
            return "malformed properties JSON";
        }
    }

    private byte[] write(CompiledType compiled, String eventName, long timeMillis, IdentityResolver.Identified who,
                         String insertId, Map<String, Object> fields, Map<String, Object> extra)
            throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeFieldName(EVENT);
            gen.writeString(eventName);
            gen.writeFieldName(PROPERTIES);
            gen.writeStartObject();
            gen.writeFieldName(TIME);
            gen.writeNumber(timeMillis);
            gen.writeFieldName(DISTINCT_ID);
            gen.writeString(who.distinctId());
            gen.writeFieldName(INSERT_ID);
            gen.writeString(insertId);
            gen.writeFieldName(IP);
            gen.writeNumber(0);
            int written = FIXED_PROPERTIES;
            SerializedString[] identityNames = identity.names();
            for (int i = 0; i < identityNames.length; i++) {
                if (who.values()[i] != null) {
                    gen.writeFieldName(identityNames[i]);
                    gen.writeString(who.values()[i]);
                    written++;
                }
            }
            for (int i = 0; i < compiled.fields.length; i++) {
                Object value = fields.get(compiled.fields[i]);
                if (value != null) {
                    gen.writeFieldName(compiled.names[i]);
                    writeValue(gen, value, 1);
                    written++;
                }
            }
            if (!extra.isEmpty()) {
                String prefix = compiled.row.extra().keyPrefix;
                List<String> keys = sortedKeys(extra);
                int room = Math.min(keys.size(), MAX_PROPERTIES - written);
                for (int i = 0; i < room; i++) {
                    String key = keys.get(i);
                    gen.writeFieldName(prefix + key);
                    writeValue(gen, extra.get(key), 1);
                }
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }
        return out.toByteArray();
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
            if (level > MAX_DEPTH) {
                gen.writeString(compactJson(value));
                return;
            }
            gen.writeStartObject();
            List<String> keys = sortedKeys(map);
            int n = Math.min(keys.size(), MAX_CONTAINER_SIZE);
            for (int i = 0; i < n; i++) {
                gen.writeFieldName(keys.get(i));
                writeValue(gen, map.get(keys.get(i)), level + 1);
            }
            gen.writeEndObject();
        } else if (value instanceof List<?> list) {
            if (level > MAX_DEPTH) {
                gen.writeString(compactJson(value));
                return;
            }
            gen.writeStartArray();
            int n = Math.min(list.size(), MAX_CONTAINER_SIZE);
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

    private static List<String> sortedKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
            keys.add(String.valueOf(key));
        }
        keys.sort(null);
        return keys;
    }

    /** A selected row with its final event name and its property names serialised once. */
    private static final class CompiledType {
        final TypeMapping row;
        final String eventName;
        final String[] fields;
        final SerializedString[] names;

        CompiledType(TypeMapping row, String eventName) {
            this.row = row;
            this.eventName = eventName;
            this.fields = new String[row.properties().size()];
            this.names = new SerializedString[fields.length];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = row.properties().get(i).field();
                names[i] = new SerializedString(row.properties().get(i).property());
            }
        }
    }
}
