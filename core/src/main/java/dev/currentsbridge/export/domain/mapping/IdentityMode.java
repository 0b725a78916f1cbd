package dev.currentsbridge.export.domain.mapping;

import java.util.List;
import java.util.Locale;

/**
 * How a Currents event names its user in Mixpanel ({@code IDENTITY_MODE}). Each mode is data: where
 * {@code distinct_id} comes from (first present candidate wins) and which identity properties are written.
 *
 * <ul>
 *   <li>{@link #DISTINCT_ID}: {@code distinct_id} = {@code external_user_id}, as Braze's own connector does;
 *       events without an external id are skipped.</li>
 *   <li>{@link #SIMPLIFIED}: for projects on Mixpanel's Simplified ID Merge: {@code $user_id} =
 *       {@code external_user_id}, {@code $device_id} = Currents {@code device_id}, and {@code distinct_id} set to
 *       exactly what Mixpanel derives from them ({@code $user_id}, else {@code $device:<device_id>}). It is set
 *       rather than left out because {@code /import} requires it on every event (OpenAPI {@code required}); the
 *       Simplified ID Merge page says a manually set {@code distinct_id} must equal {@code $user_id}.</li>
 * </ul>
 */
public enum IdentityMode {
    DISTINCT_ID("distinct_id",
            List.of(new DistinctIdCandidate(IdentitySource.EXTERNAL_USER_ID, "")),
            List.of()),
    SIMPLIFIED("simplified",
            List.of(new DistinctIdCandidate(IdentitySource.EXTERNAL_USER_ID, ""),
                    new DistinctIdCandidate(IdentitySource.DEVICE_ID, "$device:")),
            List.of(new IdentityProperty("$user_id", IdentitySource.EXTERNAL_USER_ID),
                    new IdentityProperty("$device_id", IdentitySource.DEVICE_ID)));

    /** A possible source of {@code distinct_id}, written as {@code prefix + value}. */
    public record DistinctIdCandidate(IdentitySource source, String prefix) {
    }

    /** An identity property written after the fixed ones when its source has a usable value. */
    public record IdentityProperty(String property, IdentitySource source) {
    }

    /** The setting's spelling. */
    public final String setting;
    /**
     * The first candidate is the identified user; later ones identify an anonymous event and are used only with
     * {@code EXPORT_ANONYMOUS}.
     */
    public final List<DistinctIdCandidate> distinctIdFrom;
    public final List<IdentityProperty> properties;

    IdentityMode(String setting, List<DistinctIdCandidate> distinctIdFrom, List<IdentityProperty> properties) {
        this.setting = setting;
        this.distinctIdFrom = distinctIdFrom;
        this.properties = properties;
    }

    /** Whether the mode can identify an event without an external id at all. */
    public boolean supportsAnonymous() {
        return distinctIdFrom.size() > 1;
    }

    /** {@code distinct_id} (also the default, for null/blank) or {@code simplified}, case-insensitive. */
    public static IdentityMode parse(String value) {
        if (value == null || value.isBlank()) {
            return DISTINCT_ID;
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (IdentityMode mode : values()) {
            if (mode.setting.equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("IDENTITY_MODE must be distinct_id or simplified, got '" + value.trim() + "'");
    }
}
