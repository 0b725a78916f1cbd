package dev.currentsbridge.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;

/** Aligned summary lines ({@code   exported        9}) with optional reasons. */
public final class Report {

    private final PrintStream out;

    public Report(PrintStream out) {
        this.out = out;
    }

    public Report line(String label, Object value) {
        out.printf("  %-22s %s%n", label, value);
        return this;
    }

    public Report line(String label, long count, Map<String, Long> reasons) {
        out.printf("  %-22s %d%s%n", label, count, reasons.isEmpty() ? "" : "   (" + reasons(reasons) + ")");
        return this;
    }

    public static String reasons(Map<String, Long> reasons) {
        return reasons.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }
}
