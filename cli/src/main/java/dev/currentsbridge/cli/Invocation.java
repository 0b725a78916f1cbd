package dev.currentsbridge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A parsed command line plus where values come from when a flag is absent: flags, then environment, then the
 * {@code --config} properties file, then the option's default.
 */
public final class Invocation {

    public static final Option CONFIG = Option.value("config", "FILE", null,
            "properties file with option values (keys are the flag names without dashes)");
    public static final Option HELP = Option.flag("help", "show this help").withAlias("h");

    private final String command;
    private final Map<String, Option> options;
    private final Map<String, List<String>> flags;
    private final List<String> positionals;
    private final Map<String, String> environment;
    private final Properties configFile;
    private final PrintStream out;
    private final PrintStream err;

    private Invocation(String command, Map<String, Option> options, Map<String, List<String>> flags,
                       List<String> positionals, Map<String, String> environment, Properties configFile,
                       PrintStream out, PrintStream err) {
        this.command = command;
        this.options = options;
        this.flags = flags;
        this.positionals = positionals;
        this.environment = environment;
        this.configFile = configFile;
        this.out = out;
        this.err = err;
    }

    /** Parses {@code argv} against {@code declared} (plus {@code --config} and {@code --help}). */
    public static Invocation parse(String command, List<Option> declared, String[] argv,
                                   Map<String, String> environment, PrintStream out, PrintStream err) {
        Map<String, Option> byName = new LinkedHashMap<>();
        Map<String, Option> byAlias = new HashMap<>();
        List<Option> all = new ArrayList<>(declared);
        all.add(CONFIG);
        all.add(HELP);
        for (Option o : all) {
            byName.put(o.name(), o);
            if (o.alias() != null) {
                byAlias.put(o.alias(), o);
            }
        }
        Map<String, List<String>> flags = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        boolean onlyPositionals = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (onlyPositionals || !a.startsWith("-") || a.equals("-")) {
                positionals.add(a);
                continue;
            }
            if (a.equals("--")) {
                onlyPositionals = true;
                continue;
            }
            String name;
            String inlineValue = null;
            Option o;
            if (a.startsWith("--")) {
                name = a.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inlineValue = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                o = byName.get(name);
            } else {
                name = a.substring(1);
                o = byAlias.get(name);
            }
            if (o == null) {
                throw new UsageException("unknown option " + a + " for '" + command + "' (see: bridge " + command + " --help)");
            }
            List<String> values = flags.computeIfAbsent(o.name(), k -> new ArrayList<>());
            if (!o.takesValue()) {
                if (inlineValue != null) {
                    throw new UsageException("option --" + o.name() + " takes no value");
                }
                values.add("true");
                continue;
            }
            String v;
            if (inlineValue != null) {
                v = inlineValue;
            } else if (i + 1 < argv.length && !(argv[i + 1].startsWith("--") && argv[i + 1].length() > 2)) {
                v = argv[++i];
            } else {
                throw new UsageException("option --" + o.name() + " needs a value (" + o.valueName() + ")");
            }
            if (!values.isEmpty() && !o.repeatable()) {
                throw new UsageException("option --" + o.name() + " given twice");
            }
            values.add(v);
        }
        Properties props = new Properties();
        Invocation partial = new Invocation(command, byName, flags, positionals, environment, props, out, err);
        Optional<String> configPath = partial.lookup(CONFIG);
        if (configPath.isPresent() && !partial.has(HELP)) {
            Path p = Path.of(configPath.get());
            if (!Files.isRegularFile(p)) {
                throw new CliException("config file not found: " + p);
            }
            try (Reader r = Files.newBufferedReader(p)) {
                props.load(r);
            } catch (IOException e) {
                throw new CliException("cannot read config file " + p + ": " + e.getMessage());
            }
            for (String key : props.stringPropertyNames()) {
                if (!byName.containsKey(key)) {
                    throw new CliException("config file " + p + ": unknown key '" + key + "' for '" + command + "'");
                }
            }
        }
        return partial;
    }

    public String command() {
        return command;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public List<String> positionals() {
        return positionals;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** A boolean switch: given as a flag, or "true" in the environment or config file. */
    public boolean has(Option o) {
        if (flags.containsKey(o.name())) {
            return true;
        }
        return lookup(o).map(v -> v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes")).orElse(false);
    }

    public Optional<String> lookup(Option o) {
        List<String> v = flags.get(o.name());
        if (v != null && !v.isEmpty() && o.takesValue()) {
            return Optional.of(v.get(v.size() - 1));
        }
        if (o.env() != null) {
            String e = environment.get(o.env());
            if (e != null && !e.isBlank()) {
                return Optional.of(e.trim());
            }
        }
        String p = configFile.getProperty(o.name());
        if (p != null && !p.isBlank()) {
            return Optional.of(p.trim());
        }
        return Optional.ofNullable(o.defaultValue());
    }

    public String get(Option o) {
        return lookup(o).orElse(null);
    }

    public String require(Option o) {
        return lookup(o).orElseThrow(() -> new UsageException("missing --" + o.name() + " " + o.valueName()
                + (o.env() == null ? "" : " (or " + o.env() + ")")));
    }

    /** All values of a repeatable option (flags first; commas split). */
    public List<String> all(Option o) {
        List<String> raw = flags.get(o.name());
        List<String> result = new ArrayList<>();
        if (raw != null) {
            raw.forEach(v -> split(v, result));
        } else {
            lookup(o).ifPresent(v -> split(v, result));
        }
        return result;
    }

    private static void split(String v, List<String> into) {
        Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(into::add);
    }

    public int getInt(Option o, int min, int max) {
        String v = require(o);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new UsageException("--" + o.name() + " must be between " + min + " and " + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + o.name() + " must be a whole number, got '" + v + "'");
        }
    }

    public Duration getDuration(Option o) {
        String v = require(o);
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + o.name() + ": " + e.getMessage());
        }
    }

    public Path getPath(Option o) {
        return Path.of(require(o));
    }

    /** Rejects positionals for commands that take none. */
    public void noPositionals() {
        if (!positionals.isEmpty()) {
            throw new UsageException("unexpected argument '" + positionals.get(0) + "' for '" + command
                    + "' (see: bridge " + command + " --help)");
        }
    }
}
