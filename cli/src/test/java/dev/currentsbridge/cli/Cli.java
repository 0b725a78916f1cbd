package dev.currentsbridge.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code bridge} in-process as a user would, capturing what it prints. */
public final class Cli {

    /** The repository root (tests run in cli/). */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    public static final Path SAMPLES = ROOT.resolve("events-samples");
    public static final Path TEMPLATE = ROOT.resolve("template.yaml");

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** With these environment variables (and no others: the developer's shell must not leak in). */
    public static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e, new HashMap<>(env));
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
