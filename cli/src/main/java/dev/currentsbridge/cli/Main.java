package dev.currentsbridge.cli;

import dev.currentsbridge.cli.export.ExportCommand;
import dev.currentsbridge.cli.invoke.InvokeCommand;
import dev.currentsbridge.cli.keys.KeysCommand;
import dev.currentsbridge.cli.local.LocalCommand;
import dev.currentsbridge.cli.ops.RedriveCommand;
import dev.currentsbridge.cli.ops.RejectsCommand;
import dev.currentsbridge.common.config.ConfigException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bridge <command> [options]}: local mode, backfill export, key admin, local invoke, DLQ redrive and rejects.
 * Errors are one line on stderr and a non-zero exit code (2 for usage errors, 1 otherwise).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv());
    }

    /** As {@link #run(String[], PrintStream, PrintStream)} with an explicit environment (tests). */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        List<Command> commands = List.of(new LocalCommand(), new ExportCommand(), new KeysCommand(), new InvokeCommand(),
                new RedriveCommand(), new RejectsCommand());
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            if (args.length > 1 && args[0].equals("help")) {
                return run(new String[] {args[1], "--help"}, out, err, environment);
            }
            printOverview(commands, args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Command command = commands.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("bridge: unknown command '" + args[0] + "' (commands: "
                    + String.join(", ", commands.stream().map(Command::name).toList()) + "; see: bridge --help)");
            return 2;
        }
        boolean debug = "true".equalsIgnoreCase(environment.get("BRIDGE_DEBUG"));
        try {
            Invocation inv = Invocation.parse(command.name(), command.options(),
                    Arrays.copyOfRange(args, 1, args.length), environment, out, err);
            if (inv.has(Invocation.HELP)) {
                printHelp(command, out);
                return 0;
            }
            return command.run(inv);
        } catch (CliException e) {
            err.println("bridge " + command.name() + ": " + e.getMessage());
            if (debug && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return e.exitCode();
        } catch (ConfigException e) {
            err.println("bridge " + command.name() + ": configuration: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bridge " + command.name() + ": interrupted");
            return 130;
        } catch (Exception e) {
            err.println("bridge " + command.name() + ": unexpected error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()))
                    + (debug ? "" : " (set BRIDGE_DEBUG=true for details)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void printOverview(List<Command> commands, PrintStream out) {
        out.println("usage: bridge <command> [options]");
        out.println();
        out.println("Currents Bridge on your machine: Braze Currents -> Mixpanel, Mixpanel cohorts -> Braze.");
        out.println();
        out.println("commands:");
        for (Command c : commands) {
            out.printf("  %-8s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("Run 'bridge <command> --help' for a command's options. Start with: ./bridge local --replay events-samples");
    }

    static void printHelp(Command command, PrintStream out) {
        out.println("usage: bridge " + command.usage());
        out.println();
        out.println(command.summary());
        if (!command.description().isEmpty()) {
            out.println();
            out.println(command.description().strip());
        }
        out.println();
        out.println("options:");
        List<Option> all = new java.util.ArrayList<>(command.options());
        all.add(Invocation.CONFIG);
        all.add(Invocation.HELP);
        for (Option o : all) {
            String flag = (o.alias() == null ? "    " : "-" + o.alias() + ", ") + "--" + o.name()
                    + (o.takesValue() ? " " + o.valueName() : "");
            StringBuilder help = new StringBuilder(o.help());
            if (o.defaultValue() != null) {
                help.append(" (default: ").append(o.defaultValue()).append(')');
            }
            if (o.env() != null) {
                help.append(" [env ").append(o.env()).append(']');
            }
            out.printf("  %-34s %s%n", flag, help);
        }
        out.println();
        out.println("Values come from flags, then environment variables, then the --config file, then defaults.");
    }
}
