package dev.currentsbridge.cli;

import java.util.Locale;

/**
 * One command-line option. Its value comes from the flag, else the environment variable {@link #env()},
 * else the key {@link #name()} in the {@code --config} properties file, else {@link #defaultValue()}.
 *
 * @param name         flag name without dashes, also the properties-file key
 * @param alias        short flag ({@code e} for {@code -e}) or null
 * @param valueName    placeholder shown in help ({@code DIR}); null for a boolean switch
 * @param env          environment variable read when the flag is absent, or null for flag-only options
 * @param defaultValue shown in help and used last; null when there is none
 * @param help         one line of help
 * @param repeatable   may be given more than once (values accumulate; commas split too)
 */
public record Option(String name, String alias, String valueName, String env, String defaultValue, String help,
                     boolean repeatable) {

    public static Option value(String name, String valueName, String defaultValue, String help) {
        return new Option(name, null, valueName, envName(name), defaultValue, help, false);
    }

    public static Option flag(String name, String help) {
        return new Option(name, null, null, null, null, help, false);
    }

    public Option withAlias(String shortName) {
        return new Option(name, shortName, valueName, env, defaultValue, help, repeatable);
    }

    public Option withEnv(String variable) {
        return new Option(name, alias, valueName, variable, defaultValue, help, repeatable);
    }

    public Option asRepeatable() {
        return new Option(name, alias, valueName, env, defaultValue, help, true);
    }

    public boolean takesValue() {
        return valueName != null;
    }

    /** {@code mixpanel-secret-file} reads {@code BRIDGE_MIXPANEL_SECRET_FILE}. */
    public static String envName(String name) {
        return "BRIDGE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
