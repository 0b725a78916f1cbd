package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which Currents types are exported and under which Mixpanel names: the export's settings
 * ({@code EXPORT_EVENT_TYPES}, {@code EXPORT_EVENT_NAMES}). Immutable; validated against a {@link MappingTable}
 * so that a typo fails at start-up with a clear message instead of silently exporting nothing.
 *
 * @param selectedTypes types to export (table order)
 * @param nameOverrides Mixpanel names replacing the table's, by Currents type (for custom events: the prefix)
 */
public record MappingConfig(Set<String> selectedTypes, Map<String, String> nameOverrides) {

    public static final String DEFAULT = "default";
    public static final String ALL = "all";

    public MappingConfig {
        selectedTypes = Collections.unmodifiableSet(new LinkedHashSet<>(selectedTypes));
        nameOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(nameOverrides));
    }

    /** The seed's selection (table A) with the table's names. */
    public static MappingConfig defaults() {
        return new MappingConfig(MappingTable.standard().defaultTypes(), Map.of());
    }

    /** {@link #parse(String, String, MappingTable)} against the standard table. */
    public static MappingConfig parse(String eventTypes, String eventNamesJson) {
        return parse(eventTypes, eventNamesJson, MappingTable.standard());
    }

    /**
     * Builds the configuration from its environment strings.
     *
     * @param eventTypes     {@code default} (or null/blank), {@code all}, or comma-separated Currents types; the
     *                       keywords may be mixed with types, e.g. {@code default,users.profile.Update}
     * @param eventNamesJson null/blank, or a JSON object {@code {"<currents type>": "<Mixpanel name>"}}
     * @throws IllegalArgumentException naming the unknown type or the malformed value
     */
    public static MappingConfig parse(String eventTypes, String eventNamesJson, MappingTable table) {
        return new MappingConfig(parseTypes(eventTypes, table), parseNames(eventNamesJson, table));
    }

    private static Set<String> parseTypes(String eventTypes, MappingTable table) {
        if (eventTypes == null || eventTypes.isBlank()) {
            return table.defaultTypes();
        }
        Set<String> selected = new LinkedHashSet<>();
        for (String token : eventTypes.split(",")) {
            String type = token.trim();
            if (type.isEmpty()) {
                continue;
            }
            switch (type.toLowerCase(Locale.ROOT)) {
                case DEFAULT -> selected.addAll(table.defaultTypes());
                case ALL -> selected.addAll(table.allTypes());
                default -> {
                    requireKnown(type, table, "EXPORT_EVENT_TYPES");
                    selected.add(type);
                }
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("EXPORT_EVENT_TYPES selects no event type: '" + eventTypes + "'");
        }
        // keep table order whatever order the setting used
        Set<String> ordered = new LinkedHashSet<>();
        for (String type : table.allTypes()) {
            if (selected.contains(type)) {
                ordered.add(type);
            }
        }
        return ordered;
    }

    private static Map<String, String> parseNames(String eventNamesJson, MappingTable table) {
        if (eventNamesJson == null || eventNamesJson.isBlank()) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(eventNamesJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("EXPORT_EVENT_NAMES is not valid JSON (expected {\"<currents type>\": \"<Mixpanel name>\"})");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("EXPORT_EVENT_NAMES must be a JSON object {\"<currents type>\": \"<Mixpanel name>\"}");
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            requireKnown(e.getKey(), table, "EXPORT_EVENT_NAMES");
            JsonNode name = e.getValue();
            if (!name.isTextual() || name.textValue().isBlank()) {
                throw new IllegalArgumentException("EXPORT_EVENT_NAMES: the name for " + e.getKey() + " must be a non-empty string");
            }
            names.put(e.getKey(), name.textValue().trim());
        }
        return names;
    }

    private static void requireKnown(String type, MappingTable table, String setting) {
        if (table.find(type) == null) {
            throw new IllegalArgumentException(setting + ": unknown Currents event type '" + type
                    + "' (use default, all, or types listed in " + MappingTable.RESOURCE + ")");
        }
    }
}
