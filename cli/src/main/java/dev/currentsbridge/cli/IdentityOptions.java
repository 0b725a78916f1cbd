package dev.currentsbridge.cli;

import dev.currentsbridge.export.domain.mapping.ExportMappingSettings;
import dev.currentsbridge.export.domain.mapping.IdentityConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --identity-mode} and {@code --export-anonymous}, shared by {@code bridge export} and {@code bridge local};
 * they read the export function's own variables ({@code IDENTITY_MODE}, {@code EXPORT_ANONYMOUS}) when absent and
 * are checked by the same {@link IdentityConfig} rules.
 */
public final class IdentityOptions {

    public static final Option MODE = Option.value("identity-mode", "MODE", "distinct_id",
            "distinct_id (distinct_id = external_user_id) or simplified ($user_id/$device_id, Simplified ID Merge)")
            .withEnv(ExportMappingSettings.IDENTITY_MODE);
    public static final Option ANONYMOUS = Option.flag("export-anonymous",
            "simplified only: also export events that have no external_user_id but a device_id ($device_id alone)")
            .withEnv(ExportMappingSettings.EXPORT_ANONYMOUS);

    private IdentityOptions() {
    }

    /** The identity settings; an impossible combination is a {@link CliException} naming both options. */
    public static IdentityConfig config(Invocation inv) {
        String anonymous = inv.has(ANONYMOUS) ? "true" : inv.lookup(ANONYMOUS).orElse(null);
        try {
            return IdentityConfig.parse(inv.get(MODE), anonymous);
        } catch (IllegalArgumentException e) {
            throw new CliException("identity (--identity-mode / --export-anonymous): " + e.getMessage());
        }
    }

    /** {@code environment} with the two variables set from the options, for handlers that read them. */
    public static Map<String, String> environment(Invocation inv, Map<String, String> environment) {
        IdentityConfig config = config(inv);
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(ExportMappingSettings.IDENTITY_MODE, config.mode().setting);
        env.put(ExportMappingSettings.EXPORT_ANONYMOUS, Boolean.toString(config.exportAnonymous()));
        return env;
    }
}
