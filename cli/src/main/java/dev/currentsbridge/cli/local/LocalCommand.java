package dev.currentsbridge.cli.local;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Option;
import java.util.List;

public final class LocalCommand implements Command {
    @Override public String name() { return "local"; }
    @Override public String summary() { return "(not yet available)"; }
    @Override public String usage() { return "local [options]"; }
    @Override public List<Option> options() { return List.of(); }
    @Override public int run(Invocation inv) { throw new CliException("not implemented yet"); }
}
