package dev.currentsbridge.export.domain.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;

/**
 * What one {@code /engage} answer means for the batch of profile updates that was sent. Mixpanel documents
 * ({@code openapi/ingestion.openapi.yaml}, {@code #profile-batch-update} and its reference page):
 * <ul>
 *   <li>{@code 200} with the text {@code 1} ("one or more objects are valid") or {@code 0} ("no data objects in
 *       the body are valid"), and that a 200 can carry validation errors, so the body is read;</li>
 *   <li>{@code strict=1}: "a JSON object with per-record error messages for records that fail validation", read
 *       like {@code /import}'s {@code failed_records} (matched by {@code index}: updates have no
 *       {@code $insert_id}) whether it comes with a 200 or a 400;</li>
 *   <li>401/403 as {@code ErrorResponse}; 413, 429 and 5xx are read as on {@code /import}.</li>
 * </ul>
 * {@code $set} is idempotent, so resending the rest of a batch that Mixpanel refused in part without naming which
 * (the {@code /import} rule) sets the same values again and loses nothing.
 */
public final class EngageVerdict {

    private EngageVerdict() {
    }

    public static ImportVerdict of(int status, String body) {
        if (status >= 200 && status < 300) {
            return accepted(body);
        }
        return ImportVerdict.of(status, body);
    }

    private static ImportVerdict accepted(String body) {
        String text = body == null ? "" : body.strip();
        if (text.equals("0")) {
            return new ImportVerdict.Refused("no update in the batch was valid (Mixpanel answered 0)");
        }
        if (!text.startsWith("{")) {
            return new ImportVerdict.Imported(); // "1", or no body: accepted
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return new ImportVerdict.Imported();
        }
        if (root.path("failed_records").isArray()) {
            return ImportVerdict.badRequest(text);
        }
        JsonNode s = root.path("status");
        boolean failed = s.isNumber() ? s.asInt() == 0 : "0".equals(s.asText(null)) || "error".equals(s.asText(null));
        if (failed) {
            return new ImportVerdict.Refused(root.path("error").asText("no update in the batch was valid"));
        }
        return new ImportVerdict.Imported();
    }
}
