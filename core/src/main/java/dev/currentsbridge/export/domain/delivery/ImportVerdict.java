package dev.currentsbridge.export.domain.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What one {@code /import} answer means for the batch that was sent (Mixpanel API spec, "Responses"). */
public sealed interface ImportVerdict {

    /** 2xx: every event imported. */
    record Imported() implements ImportVerdict {
    }

    /**
     * 400 with {@code failed_records}: these were refused, the others imported; never retried. Entries that name
     * no sent event (or an empty list) make the others uncertain: they are returned for redelivery instead.
     */
    record Partial(List<FailedRecord> failures) implements ImportVerdict {
    }

    /** 400 without {@code failed_records}: the whole request was refused as invalid. Never retried. */
    record Refused(String error) implements ImportVerdict {
    }

    /** 413, or 400 saying "request body too large": split and resend. */
    record TooLarge() implements ImportVerdict {
    }

    /** 429, 5xx: back off and resend. */
    record Transient(String reason) implements ImportVerdict {
    }

    /** 401: credentials wrong, or rotated since we read them. */
    record Unauthorized() implements ImportVerdict {
    }

    /** 403 and other unexpected statuses: a configuration problem; the batch fails as a whole. */
    record Misconfigured(String reason) implements ImportVerdict {
    }

    /**
     * One entry of {@code failed_records}. Mixpanel's spec names the id {@code insert_id}, one prose example
     * {@code $insert_id}: both are read.
     */
    record FailedRecord(int index, String insertId, String field, String message) {
    }

    /** How one endpoint's answers are read ({@code /import}: {@link #of}; {@code /engage}: {@link EngageVerdict#of}). */
    @FunctionalInterface
    interface Reader {
        ImportVerdict read(int status, String body);
    }

    public static ImportVerdict of(int status, String body) {
        if (status >= 200 && status < 300) {
            return new Imported();
        }
        return switch (status) {
            case 400 -> badRequest(body);
            case 401 -> new Unauthorized();
            case 413 -> new TooLarge();
            case 429 -> new Transient("mixpanel_429");
            default -> status >= 500 ? new Transient("mixpanel_" + status) : new Misconfigured("mixpanel_" + status);
        };
    }

    static ImportVerdict badRequest(String body) {
        if (body != null && body.toLowerCase(Locale.ROOT).contains("request body too large")) {
            return new TooLarge();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body == null ? "" : body);
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            return new Refused("unreadable 400 body");
        }
        JsonNode failed = root.get("failed_records");
        if (failed == null || !failed.isArray()) {
            return new Refused(root.path("error").asText("bad request"));
        }
        List<FailedRecord> out = new ArrayList<>(failed.size());
        for (JsonNode f : failed) {
            String insertId = f.hasNonNull("insert_id") ? f.get("insert_id").asText()
                    : f.hasNonNull("$insert_id") ? f.get("$insert_id").asText() : null;
            int index = f.path("index").canConvertToInt() && f.has("index") ? f.get("index").asInt() : -1;
            out.add(new FailedRecord(index, insertId, f.path("field").asText(""), f.path("message").asText("")));
        }
        return new Partial(out);
    }
}
