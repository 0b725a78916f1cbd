package dev.currentsbridge.bench.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the JMH benchmarks and prints events per second with the ratio to the bound measured in the same run.
 * {@code --smoke}: no fork, one 100 ms warm-up and one 100 ms measurement each (proves they run, measures nothing).
 * {@code --forks N} (default 1), {@code --include REGEX} (default both benchmarks).
 */
public final class JmhMain {

    /** Every benchmark of this module. */
    public static final String ALL = MappingBenchmark.class.getSimpleName() + "|" + AvroDecodeBenchmark.class.getSimpleName()
            + "|" + GzipBenchmark.class.getSimpleName();

    private JmhMain() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean smoke = false;
        int forks = 1;
        String include = ALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                case "--include" -> include = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<Row> rows = run(include, smoke, forks);
        System.out.println();
        System.out.println(table(rows));
    }

    /** One measured benchmark: its name with params, events/s, error (99.9%) and the ratio to its bound. */
    public record Row(String benchmark, String params, double eventsPerSecond, double error, Double ratioToBound) {
    }

    public static List<Row> run(String include, boolean smoke, int forks) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder().include(include).shouldFailOnError(true);
        if (smoke) {
            options.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(100))
                    .verbosity(VerboseMode.SILENT);
        } else {
            options.forks(forks);
        }
        return rows(new Runner(options.build()).run());
    }

    static List<Row> rows(Collection<RunResult> results) {
        // bound per (benchmark class, params): the method whose name starts with "bound"
        Map<String, Double> bounds = new LinkedHashMap<>();
        Map<String, RunResult> sorted = new TreeMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String params = params(r);
            sorted.put(label + " " + params, r);
            String method = label.substring(label.lastIndexOf('.') + 1);
            if (method.startsWith("bound")) {
                bounds.put(label.substring(0, label.lastIndexOf('.')) + " " + params, r.getPrimaryResult().getScore());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (RunResult r : sorted.values()) {
            String label = r.getParams().getBenchmark();
            String params = params(r);
            Double bound = bounds.get(label.substring(0, label.lastIndexOf('.')) + " " + params);
            double score = r.getPrimaryResult().getScore();
            String shortName = label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1);
            rows.add(new Row(shortName, params, score, r.getPrimaryResult().getScoreError(),
                    bound == null ? null : score / bound));
        }
        return rows;
    }

    private static String params(RunResult r) {
        List<String> parts = new ArrayList<>();
        for (String key : r.getParams().getParamsKeys()) {
            parts.add(key + "=" + r.getParams().getParam(key));
        }
        return String.join(",", parts);
    }

    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-42s %-44s %14s %12s %9s%n", "benchmark", "params", "events/s", "+-(99.9%)", "vs bound"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-42s %-44s %,14.0f %,12.0f %9s%n", r.benchmark(), r.params(),
                    r.eventsPerSecond(), Double.isNaN(r.error()) ? 0 : r.error(),
                    r.ratioToBound() == null ? "" : String.format(Locale.ROOT, "%.2f", r.ratioToBound())));
        }
        return sb.toString();
    }
}
