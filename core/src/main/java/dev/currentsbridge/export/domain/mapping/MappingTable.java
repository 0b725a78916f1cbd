package dev.currentsbridge.export.domain.mapping;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Currents-to-Mixpanel table, kept as data in {@value #RESOURCE} (one tab-separated row per Currents type;
 * the file's header explains the columns). The standard table is parsed once at class initialisation so that
 * a SnapStart snapshot already holds it. Immutable and thread-safe.
 */
public final class MappingTable {

    public static final String RESOURCE = "/mapping/currents-to-mixpanel.tsv";

    /** Written by {@link EventMapper} itself (fixed and identity properties); a table column may not produce them. */
    static final Set<String> RESERVED_PROPERTIES = Set.of("time", "distinct_id", "$insert_id", "ip", "$user_id",
            "$device_id");

    private static final MappingTable STANDARD = loadResource(RESOURCE);

    private final Map<String, TypeMapping> byType;

    private MappingTable(Map<String, TypeMapping> byType) {
        this.byType = Collections.unmodifiableMap(byType);
    }

    /** The table shipped in the jar. */
    public static MappingTable standard() {
        return STANDARD;
    }

    /** The row of a Currents type, or null when the table does not know it. */
    public TypeMapping find(String currentsType) {
        return currentsType == null ? null : byType.get(currentsType);
    }

    /** Every row in table order. */
    public Collection<TypeMapping> rows() {
        return byType.values();
    }

    /** Every known type in table order. */
    public Set<String> allTypes() {
        return byType.keySet();
    }

    /** The types selected by default (the seed's list), in table order. */
    public Set<String> defaultTypes() {
        Set<String> types = new LinkedHashSet<>();
        for (TypeMapping row : byType.values()) {
            if (row.selectedByDefault()) {
                types.add(row.currentsType());
            }
        }
        return Collections.unmodifiableSet(types);
    }

    static MappingTable loadResource(String resource) {
        return DataTable.resource(MappingTable.class, resource, "mapping table", MappingTable::parse);
    }

    /** Parses the TSV format; a malformed row fails with its line number. */
    public static MappingTable parse(Reader reader) throws IOException {
        Map<String, TypeMapping> rows = new LinkedHashMap<>();
        DataTable.rows(reader, "mapping table", cols -> {
            TypeMapping row = parseRow(cols);
            if (rows.putIfAbsent(row.currentsType(), row) != null) {
                throw new IllegalArgumentException("duplicate type " + row.currentsType());
            }
        });
        return new MappingTable(rows);
    }

    private static TypeMapping parseRow(String[] cols) {
        if (cols.length != 5) {
            throw new IllegalArgumentException("expected 5 tab-separated columns, found " + cols.length);
        }
        String type = cols[0].trim();
        String name = cols[1].trim();
        if (type.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("empty type or name");
        }
        boolean byDefault = switch (cols[2].trim()) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("selected_by_default must be yes or no");
        };
        ExtraProperties extra = ExtraProperties.fromTableKeyword(cols[3].trim());
        List<PropertyRule> properties = new ArrayList<>();
        Set<String> targets = new LinkedHashSet<>();
        for (String spec : cols[4].split(",")) {
            if (spec.isBlank()) {
                continue;
            }
            PropertyRule rule = PropertyRule.parse(spec);
            if (RESERVED_PROPERTIES.contains(rule.property())) {
                throw new IllegalArgumentException("property " + rule.property() + " is written by the mapper itself");
            }
            if (!targets.add(rule.property())) {
                throw new IllegalArgumentException("property " + rule.property() + " listed twice");
            }
            properties.add(rule);
        }
        return new TypeMapping(type, name, byDefault, extra, properties);
    }
}
