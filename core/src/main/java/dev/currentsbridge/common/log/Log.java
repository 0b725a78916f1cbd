package dev.currentsbridge.common.log;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Structured JSON logs, one object per line (CloudWatch Logs Insights reads the fields).
 *
 * <p>Rule for every call site: fields carry counts, reasons, types, cohort and message ids, status codes,
 * durations. Never emails, phone numbers, user ids, keys, secrets or message bodies. A test runs the
 * scenarios with a capturing sink and fails if any such value from the inputs appears.
 */
public final class Log {

    private static volatile Consumer<String> sink = System.out::println;

    private final String logger;

    private Log(String logger) {
        this.logger = logger;
    }

    public static Log get(Class<?> owner) {
        return new Log(owner.getSimpleName());
    }

    /** Redirect all logging (tests capture lines; local mode may tee them). Returns the previous sink. */
    public static Consumer<String> setSink(Consumer<String> newSink) {
        Consumer<String> old = sink;
        sink = newSink;
        return old;
    }

    public void info(String message, Object... keyValues) {
        write("INFO", message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        write("WARN", message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        write("ERROR", message, keyValues);
    }

    private void write(String level, String message, Object... kv) {
        StringWriter w = new StringWriter(128);
        try (JsonGenerator g = Json.FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("timestamp", Instant.now().toString());
            g.writeStringField("level", level);
            g.writeStringField("logger", logger);
            g.writeStringField("message", message);
            for (int i = 0; i + 1 < kv.length; i += 2) {
                g.writeFieldName(String.valueOf(kv[i]));
                writeValue(g, kv[i + 1]);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sink.accept(w.toString());
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Number n) {
            if (n instanceof Double || n instanceof Float) {
                g.writeNumber(n.doubleValue());
            } else {
                g.writeNumber(n.longValue());
            }
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(String.valueOf(v));
        }
    }
}
