package dev.currentsbridge.export.domain.mapping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        try (InputStream in = ProfileTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("profile table resource missing: " + resource);
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read profile table " + resource, e);
        }
    }

    /** Parses the TSV format; a malformed row fails with its line number. */
    public static ProfileTable parse(Reader reader) throws IOException {
        List<PropertyRule> rows = new ArrayList<>();
        Set<String> fields = new HashSet<>();
        Set<String> properties = new HashSet<>();
        BufferedReader lines = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            String problem = null;
            if (cols.length != 2 || cols[0].isBlank() || cols[1].isBlank()) {
                problem = "expected 2 non-empty tab-separated columns";
            } else if (cols[0].trim().equals(CUSTOM_ATTRIBUTES)) {
                problem = CUSTOM_ATTRIBUTES + " is written by the mapper itself";
            } else if (RESERVED.contains(cols[1].trim())) {
                problem = "property " + cols[1].trim() + " is written by the mapper itself";
            } else if (!fields.add(cols[0].trim())) {
                problem = "field " + cols[0].trim() + " listed twice";
            } else if (!properties.add(cols[1].trim())) {
                problem = "property " + cols[1].trim() + " listed twice";
            }
            if (problem != null) {
                throw new IllegalStateException("profile table line " + number + ": " + problem);
            }
            rows.add(new PropertyRule(cols[0].trim(), cols[1].trim()));
        }
        return new ProfileTable(rows);
    }
}
