package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.InsertIds;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What Mixpanel's {@code /import} checks on each event (spec "Import Events API"), with the limits read from the
 * production constants ({@link EventMapper}, {@link InsertIds}, {@link BatchLimits}): {@code event}/{@code properties}
 * only, a non-empty event name, under 1 MB, fewer than 255 properties, {@code time} after 1971 and at most 1 h
 * ahead, a real {@code distinct_id} (no placeholder), a valid {@code $insert_id}, nesting depth at most 3, arrays
 * and objects under 255 entries.
 */
public final class ImportRules {

    /** Mixpanel refuses events more than this far in the future (not a production constant: the exporter keeps it). */
    public static final Duration MAX_AHEAD = Duration.ofHours(1);
    private static final long MILLIS_FROM = 100_000_000_000L;

    /** One refused event: the {@code field} and {@code message} of its {@code failed_records} entry. */
    public record Problem(String field, String message) {
    }

    private final Supplier<Instant> clock;

    public ImportRules(Supplier<Instant> clock) {
        this.clock = clock;
    }

    /** Null when Mixpanel imports the event; {@code jsonBytes} is its size as sent. */
    public Problem check(JsonNode e, long jsonBytes) {
        if (!e.isObject()) {
            return new Problem("event", "event must be an object");
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("event") && !k.equals("properties")) {
                return new Problem(k, "unexpected top-level key");
            }
        }
        if (!e.path("event").isTextual() || e.get("event").asText().isEmpty()) {
            return new Problem("event", "'event' must be a non-empty string");
        }
        if (jsonBytes > BatchLimits.MIXPANEL_MAX_EVENT_BYTES) {
            return new Problem("event", "event exceeds max size of " + BatchLimits.MIXPANEL_MAX_EVENT_BYTES + " bytes");
        }
        JsonNode p = e.path("properties");
        if (!p.isObject()) {
            return new Problem("properties", "'properties' must be an object");
        }
        if (p.size() > EventMapper.MAX_PROPERTIES) {
            return new Problem("properties", "too many properties: " + p.size());
        }
        Problem time = time(p.path("time"));
        if (time != null) {
            return time;
        }
        JsonNode did = p.path("distinct_id");
        if (!(did.isTextual() || did.isNumber()) || did.asText().isEmpty()
                || EventMapper.PLACEHOLDER_DISTINCT_IDS.contains(did.asText().trim().toLowerCase(Locale.ROOT))) {
            return new Problem("properties.distinct_id", "'properties.distinct_id' is missing or invalid");
        }
        JsonNode insertId = p.path("$insert_id");
        if (!insertId.isTextual() || !InsertIds.isValid(insertId.asText())) {
            return new Problem("properties.$insert_id", "'$insert_id' must be 1-" + InsertIds.MAX_LENGTH
                    + " characters of [A-Za-z0-9-]");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String problem = shape(f.getValue(), 1);
            if (problem != null) {
                return new Problem("properties." + f.getKey(), problem);
            }
        }
        return null;
    }

    private Problem time(JsonNode time) {
        if (!time.isNumber()) {
            return new Problem("properties.time", "'properties.time' is required and must be a number");
        }
        long t = time.asLong();
        long seconds = t < MILLIS_FROM ? t : t / 1000;
        if (seconds < EventMapper.MIN_TIME_SECONDS) {
            return new Problem("properties.time", "'properties.time' is before 1971-01-01");
        }
        if (seconds > clock.get().plus(MAX_AHEAD).getEpochSecond()) {
            return new Problem("properties.time", "'properties.time' is more than 1 hour in the future");
        }
        return null;
    }

    private static String shape(JsonNode v, int depth) {
        if (v.isContainerNode() && depth > EventMapper.MAX_DEPTH) {
            return "nesting deeper than " + EventMapper.MAX_DEPTH;
        }
        if (v.isArray() && v.size() > EventMapper.MAX_CONTAINER_SIZE) {
            return "array of more than " + EventMapper.MAX_CONTAINER_SIZE + " elements";
        }
        if (v.isObject() && v.size() > EventMapper.MAX_CONTAINER_SIZE) {
            return "object of more than " + EventMapper.MAX_CONTAINER_SIZE + " keys";
        }
        for (JsonNode child : v) {
            String p = shape(child, depth + 1);
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
