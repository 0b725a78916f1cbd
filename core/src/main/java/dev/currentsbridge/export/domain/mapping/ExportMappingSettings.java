package dev.currentsbridge.export.domain.mapping;

import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;

/**
 * The export function's mapping settings, read from its environment in one place: which types under which
 * names ({@value #EVENT_TYPES}, {@value #EVENT_NAMES}) and how users are identified ({@value #IDENTITY_MODE},
 * {@value #EXPORT_ANONYMOUS}). A malformed or impossible value is a {@link ConfigException} naming the setting.
 * The reads spell the names out (not the constants) so that the template test's source scan sees them.
 */
public final class ExportMappingSettings {

    public static final String EVENT_TYPES = "EXPORT_EVENT_TYPES";
    public static final String EVENT_NAMES = "EXPORT_EVENT_NAMES";
    public static final String IDENTITY_MODE = "IDENTITY_MODE";
    public static final String EXPORT_ANONYMOUS = "EXPORT_ANONYMOUS";

    private ExportMappingSettings() {
    }

    public static EventMapper mapper(Env env) {
        MappingConfig mapping;
        try {
            mapping = MappingConfig.parse(env.raw("EXPORT_EVENT_TYPES"), env.raw("EXPORT_EVENT_NAMES"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(EVENT_TYPES + " / " + EVENT_NAMES + ": " + e.getMessage());
        }
        return new EventMapper(mapping, identity(env));
    }

    public static IdentityConfig identity(Env env) {
        try {
            return IdentityConfig.parse(env.raw("IDENTITY_MODE"), env.raw("EXPORT_ANONYMOUS"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
