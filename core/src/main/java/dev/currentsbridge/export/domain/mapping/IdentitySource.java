package dev.currentsbridge.export.domain.mapping;

import dev.currentsbridge.export.domain.CurrentsEvent;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where an identifier comes from in a Currents event, and what a placeholder value there means.
 * Only non-blank strings count as present.
 */
public enum IdentitySource {
    /** The Braze {@code external_user_id}: a placeholder in it makes the event invalid (it would be a user). */
    EXTERNAL_USER_ID("external_user_id", true),
    /**
     * The Currents {@code device_id} field: a placeholder in it is ignored, as if absent (used as
     * {@code $device_id} it would merge every such event into one identity cluster).
     */
    DEVICE_ID("device_id", false);

    /** Values Mixpanel refuses as {@code distinct_id} (compared trimmed and case-insensitively). */
    static final Set<String> PLACEHOLDERS = Set.of(
            "00000000-0000-0000-0000-000000000000", "anon", "anonymous", "nil", "none", "null", "n/a", "na",
            "undefined", "unknown", "<nil>", "0", "-1", "true", "false", "[]", "{}");

    /** The Currents field name (the storage form's). */
    public final String field;
    /** Whether a placeholder value makes the event invalid rather than leaving this source unused. */
    public final boolean placeholderIsInvalid;

    IdentitySource(String field, boolean placeholderIsInvalid) {
        this.field = field;
        this.placeholderIsInvalid = placeholderIsInvalid;
    }

    /** The raw non-blank value, or null. */
    String read(CurrentsEvent event, Map<String, Object> fields) {
        Object value = this == EXTERNAL_USER_ID ? event.externalUserId() : fields.get(field);
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    static boolean isPlaceholder(String value) {
        return PLACEHOLDERS.contains(value.trim().toLowerCase(Locale.ROOT));
    }
}
