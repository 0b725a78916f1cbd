package dev.currentsbridge.export.domain.mapping;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Braze-profile-to-Mixpanel-profile table, kept as data in {@value #RESOURCE} (one tab-separated row per
 * Braze standard attribute; the file's header explains the columns). Parsed once; immutable.
 */
public final class ProfileTable {

    public static final String RESOURCE = "/mapping/braze-profile-to-mixpanel.tsv";
    /** The Currents type whose events are profile updates. */
    public static final String PROFILE_TYPE = "users.profile.Update";
    /** Written by {@link ProfileMapper} itself; a row may not produce it. */
    public static final String EXTERNAL_ID_PROPERTY = "$braze_external_id";
    /** Prefix of custom attributes and of Braze standard attributes Mixpanel has no reserved name for. */
    public static final String ATTRIBUTE_PREFIX = "[Braze attribute] ";
    /** The storage field holding the custom attributes (a JSON object as a string, or an object). */
    public static final String CUSTOM_ATTRIBUTES = "custom_attributes";

    private static final Set<String> RESERVED = Set.of(EXTERNAL_ID_PROPERTY, "$distinct_id", "$token", "$set");
    private static final ProfileTable STANDARD = loadResource(RESOURCE);

    private final List<PropertyRule> rows;

    private ProfileTable(List<PropertyRule> rows) {
        this.rows = List.copyOf(rows);
    }

    public static ProfileTable standard() {
        return STANDARD;
    }

    /** The rows in output order: Currents field -> Mixpanel profile property. */
    public List<PropertyRule> rows() {
        return rows;
    }

    static ProfileTable loadResource(String resource) {
        return DataTable.resource(ProfileTable.class, resource, "profile table", ProfileTable::parse);
    }

    /** Parses the TSV format; a malformed row fails with its line number. */
    public static ProfileTable parse(Reader reader) throws IOException {
        List<PropertyRule> rows = new ArrayList<>();
        Set<String> fields = new HashSet<>();
        Set<String> properties = new HashSet<>();
        DataTable.rows(reader, "profile table", cols -> {
            if (cols.length != 2 || cols[0].isBlank() || cols[1].isBlank()) {
                throw new IllegalArgumentException("expected 2 non-empty tab-separated columns");
            }
            String field = cols[0].trim();
            String property = cols[1].trim();
            if (field.equals(CUSTOM_ATTRIBUTES)) {
                throw new IllegalArgumentException(CUSTOM_ATTRIBUTES + " is written by the mapper itself");
            } else if (RESERVED.contains(property)) {
                throw new IllegalArgumentException("property " + property + " is written by the mapper itself");
            } else if (!fields.add(field)) {
                throw new IllegalArgumentException("field " + field + " listed twice");
            } else if (!properties.add(property)) {
                throw new IllegalArgumentException("property " + property + " listed twice");
            }
            rows.add(new PropertyRule(field, property));
        });
        return new ProfileTable(rows);
    }
}
