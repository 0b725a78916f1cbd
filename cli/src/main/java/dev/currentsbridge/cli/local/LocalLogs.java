package dev.currentsbridge.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Local mode's log routing: the handlers' structured logs and EMF metrics go to a file (the console stays
 * readable; {@code --verbose} echoes them to stderr), and the export function's per-batch summary line
 * ("export batch done") is summed up for the closing report: the same numbers the Lambda logs.
 */
public final class LocalLogs implements AutoCloseable {

    private static final String EXPORT_DONE = "export batch done";

    private final Path file;
    private final BufferedWriter writer;
    private final PrintStream echo;
    private final Consumer<String> previousLog;
    private final Consumer<String> previousMetrics;
    private final Map<String, Long> exportTotals = new TreeMap<>();

    public LocalLogs(Path dir, PrintStream echo) {
        try {
            Files.createDirectories(dir);
            this.file = dir.resolve("bridge.log");
            this.writer = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CliException("cannot open log file in " + dir + ": " + e.getMessage());
        }
        this.echo = echo;
        this.previousLog = Log.setSink(this::write);
        this.previousMetrics = Metrics.setSink(this::write);
    }

    public Path file() {
        return file;
    }

    private synchronized void write(String line) {
        try {
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // a full disk must not stop the system; the line is lost
        }
        if (echo != null) {
            echo.println(line);
        }
        if (line.contains(EXPORT_DONE)) {
            count(line);
        }
    }

    private void count(String line) {
        try {
            JsonNode n = Json.MAPPER.readTree(line);
            if (!EXPORT_DONE.equals(n.path("message").asText())) {
                return;
            }
            n.path("totals").fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    exportTotals.merge(e.getKey(), e.getValue().asLong(), Long::sum);
                }
            });
        } catch (IOException e) {
            // not one of ours
        }
    }

    /** Sums of the export function's per-invocation totals ({@code imported}, {@code skipped}, {@code retry}...). */
    public synchronized Map<String, Long> exportTotals() {
        return new TreeMap<>(exportTotals);
    }

    @Override
    public synchronized void close() {
        Log.setSink(previousLog);
        Metrics.setSink(previousMetrics);
        try {
            writer.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
