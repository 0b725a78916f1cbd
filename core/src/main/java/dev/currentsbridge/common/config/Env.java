package dev.currentsbridge.common.config;

import java.util.Map;
import java.util.Optional;

/**
 * Read-only view of the function's configuration (environment variables on Lambda, a map in tests and in
 * local mode). Values name resources and secrets; secret values themselves never pass through here.
 */
@FunctionalInterface
public interface Env {

    /** The raw value, or null when unset. */
    String raw(String name);

    static Env system() {
        return System::getenv;
    }

    static Env of(Map<String, String> values) {
        return values::get;
    }

    /** Values from {@code overrides} first, then this. */
    default Env overriddenBy(Map<String, String> overrides) {
        return name -> overrides.containsKey(name) ? overrides.get(name) : raw(name);
    }

    default Optional<String> optional(String name) {
        String v = raw(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    default String get(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    default String required(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name + " is not set"));
    }

    default int getInt(String name, int defaultValue) {
        Optional<String> v = optional(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + v.get() + "'");
        }
    }

    default boolean getBoolean(String name, boolean defaultValue) {
        Optional<String> v = optional(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name + " must be true or false, got '" + v.get() + "'");
        };
    }
}
