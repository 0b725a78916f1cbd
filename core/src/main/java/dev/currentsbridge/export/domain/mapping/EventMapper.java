package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.mapping.MappingResult.Invalid;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;
import dev.currentsbridge.export.domain.mapping.MappingResult.Skipped;

import java.io.IOException;
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
    public static final Set<String> PLACEHOLDER_DISTINCT_IDS = IdentitySource.PLACEHOLDERS;

    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString PROPERTIES = new SerializedString("properties");
    private static final SerializedString TIME = new SerializedString("time");
    private static final SerializedString DISTINCT_ID = new SerializedString("distinct_id");
    private static final SerializedString INSERT_ID = new SerializedString("$insert_id");
    private static final SerializedString IP = new SerializedString("ip");
    private static final int FIXED_PROPERTIES = 4;

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
            Object parsed = MixpanelValues.parseObject(raw, "properties");
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
                    MixpanelValues.write(gen, value);
                    written++;
                }
            }
            if (!extra.isEmpty()) {
                String prefix = compiled.row.extra().keyPrefix;
                List<String> keys = MixpanelValues.sortedKeys(extra);
                int room = Math.min(keys.size(), MAX_PROPERTIES - written);
                for (int i = 0; i < room; i++) {
                    String key = keys.get(i);
                    gen.writeFieldName(prefix + key);
                    MixpanelValues.write(gen, extra.get(key));
                }
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }
        return out.toByteArray();
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
