package dev.currentsbridge.cli.invoke;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Option;
import java.util.List;

public final class InvokeCommand implements Command {
    @Override public String name() { return "invoke"; }
    @Override public String summary() { return "(not yet available)"; }
    @Override public String usage() { return "invoke [options]"; }
    @Override public List<Option> options() { return List.of(); }
    @Override public int run(Invocation inv) { throw new CliException("not implemented yet"); }
}
