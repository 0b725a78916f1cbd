package dev.currentsbridge.export.domain.mapping;

import java.util.Locale;

/**
 * The export's identity settings: {@code IDENTITY_MODE} and {@code EXPORT_ANONYMOUS}. Immutable; an impossible
 * combination fails at start-up.
 *
 * @param mode            how events name their user
 * @param exportAnonymous also export events without an external id that carry a device id (as {@code $device_id}
 *                        alone); only in a mode that {@link IdentityMode#supportsAnonymous() supports it}
 */
public record IdentityConfig(IdentityMode mode, boolean exportAnonymous) {

    /** Today's behaviour: {@code distinct_id} = external id, anonymous events skipped. */
    public static final IdentityConfig DEFAULT = new IdentityConfig(IdentityMode.DISTINCT_ID, false);

    public IdentityConfig {
        if (mode == null) {
            throw new IllegalArgumentException("IDENTITY_MODE is required");
        }
        if (exportAnonymous && !mode.supportsAnonymous()) {
            throw new IllegalArgumentException("EXPORT_ANONYMOUS=true needs IDENTITY_MODE=simplified: in "
                    + mode.setting + " mode distinct_id is the external user id, so an event without one has no user");
        }
    }

    /**
     * @param mode            {@code distinct_id} (default when null/blank) or {@code simplified}
     * @param exportAnonymous {@code true}/{@code false} (also 1/0, yes/no, on/off; default false when null/blank)
     * @throws IllegalArgumentException naming the setting and the accepted values
     */
    public static IdentityConfig parse(String mode, String exportAnonymous) {
        return new IdentityConfig(IdentityMode.parse(mode), parseBoolean(exportAnonymous));
    }

    private static boolean parseBoolean(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("EXPORT_ANONYMOUS must be true or false, got '" + value.trim() + "'");
        };
    }
}
