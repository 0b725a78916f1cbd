package dev.currentsbridge.cli;

import java.util.List;

/** One {@code bridge} command. */
public interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** Usage line(s) after "usage: bridge ", e.g. {@code "local [options]"}. */
    String usage();

    /** Extra help paragraphs (may be empty). */
    default String description() {
        return "";
    }

    List<Option> options();

    /** Runs the command; returns the exit code. Throws {@link CliException} for one-line errors. */
    int run(Invocation inv) throws Exception;
}
