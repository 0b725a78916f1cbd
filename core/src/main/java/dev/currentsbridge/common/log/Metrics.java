package dev.currentsbridge.common.log;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CloudWatch Embedded Metric Format: metrics written as one structured log line per flush, which
 * CloudWatch turns into metrics without any API call (no PutMetricData latency, no extra SDK client).
 *
 * <p>Counters are per invocation: create one, count, {@link #flush()} at the end. One namespace, one dimension
 * ({@code Function}, spelled by {@link FunctionName}), metric names in PascalCase.
 */
public final class Metrics {

    public static final String NAMESPACE = "CurrentsBridge";

    private static volatile Consumer<String> sink = System.out::println;

    private final String function;
    private final Map<String, Double> values = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public Metrics(FunctionName function) {
        this.function = function.dimension();
    }

    public static Consumer<String> setSink(Consumer<String> newSink) {
        Consumer<String> old = sink;
        sink = newSink;
        return old;
    }

    public synchronized Metrics count(String name, long n) {
        values.merge(name, (double) n, Double::sum);
        units.putIfAbsent(name, "Count");
        return this;
    }

    public synchronized Metrics millis(String name, long ms) {
        values.merge(name, (double) ms, Math::max);
        units.putIfAbsent(name, "Milliseconds");
        return this;
    }

    /** A searchable property on the EMF line that is not a metric (e.g. an invocation id). */
    public synchronized Metrics property(String key, Object value) {
        properties.put(key, value);
        return this;
    }

    public synchronized Map<String, Double> snapshot() {
        return Map.copyOf(values);
    }

    public synchronized void flush() {
        if (values.isEmpty()) {
            return;
        }
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeObjectFieldStart("_aws");
            g.writeNumberField("Timestamp", System.currentTimeMillis());
            g.writeArrayFieldStart("CloudWatchMetrics");
            g.writeStartObject();
            g.writeStringField("Namespace", NAMESPACE);
            g.writeArrayFieldStart("Dimensions");
            g.writeStartArray();
            g.writeString("Function");
            g.writeEndArray();
            g.writeEndArray();
            g.writeArrayFieldStart("Metrics");
            for (Map.Entry<String, String> u : units.entrySet()) {
                g.writeStartObject();
                g.writeStringField("Name", u.getKey());
                g.writeStringField("Unit", u.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
            g.writeStringField("Function", function);
            for (Map.Entry<String, Object> p : properties.entrySet()) {
                g.writeStringField(p.getKey(), String.valueOf(p.getValue()));
            }
            for (Map.Entry<String, Double> v : values.entrySet()) {
                g.writeNumberField(v.getKey(), v.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sink.accept(w.toString());
        values.clear();
        units.clear();
    }
}
