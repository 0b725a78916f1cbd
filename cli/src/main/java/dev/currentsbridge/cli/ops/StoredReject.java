package dev.currentsbridge.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;

/**
 * One reject as the rejects queue (SQS, see {@code SqsRejectSink}) or local mode's rejects folder
 * ({@code FileRejectSink}) stores it.
 *
 * @param id        the SQS message id, or {@code <file>:<line>} for a local reject
 * @param handle    what deletes it: the SQS receipt handle, or the same {@code <file>:<line>}
 * @param original  the original event (or message body) as text; null when the reject carries none
 * @param truncated the original was cut to fit one SQS message (then it cannot be replayed)
 */
public record StoredReject(String id, String handle, String outcome, String reason, String detail, String currentsType,
                           String origin, String rejectedAt, String original, boolean truncated, String mixpanelEvent) {

    /** Parses one reject's JSON; {@code null} for a body that is not a reject (it is listed as {@code unreadable}). */
    public static StoredReject parse(String id, String handle, String json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (Exception e) {
            n = null;
        }
        if (n == null || !n.isObject() || !n.path("reason").isTextual()) {
            return new StoredReject(id, handle, null, "unreadable", "not a reject: " + abbreviate(json, 200), null, null,
                    null, null, false, null);
        }
        String type = text(n, "currents_event_type");
        return new StoredReject(id, handle, text(n, "outcome"), text(n, "reason"), text(n, "detail"),
                type != null ? type : text(n, "currents_type"), text(n, "origin"), text(n, "rejected_at"),
                jsonOrText(n.get("original")), n.path("original_truncated").asBoolean(false),
                jsonOrText(n.get("mixpanel_event")));
    }

    /** An original that names an S3 object ({@code {"bucket","key"}}) is a file, not an event. */
    public boolean isObjectReference() {
        if (original == null || !original.startsWith("{")) {
            return false;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(original);
            return n.size() == 2 && n.path("bucket").isTextual() && n.path("key").isTextual();
        } catch (Exception e) {
            return false;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String jsonOrText(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }
}
