package dev.currentsbridge.standins.junit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Captures the structured log lines and the EMF metric lines written while it is open, and restores the previous
 * sinks on {@link #close()}: {@code @BeforeEach capture = LogCapture.start(); @AfterEach capture.close();}.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final List<String> metrics = new CopyOnWriteArrayList<>();
    private final Consumer<String> previousLog;
    private final Consumer<String> previousMetrics;

    private LogCapture() {
        previousLog = Log.setSink(logs::add);
        previousMetrics = Metrics.setSink(metrics::add);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** The JSON log lines, in order (live: grows while the capture is open). */
    public List<String> logs() {
        return logs;
    }

    /** The EMF lines, one per {@code Metrics.flush()} (live). */
    public List<String> metrics() {
        return metrics;
    }

    /** The metric values of one EMF line, by metric name. */
    public static Map<String, Double> parseEmf(String line) {
        try {
            JsonNode n = Json.MAPPER.readTree(line);
            Map<String, Double> m = new HashMap<>();
            for (JsonNode def : n.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics")) {
                String name = def.path("Name").asText();
                m.put(name, n.path(name).asDouble());
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Log.setSink(previousLog);
        Metrics.setSink(previousMetrics);
    }
}
