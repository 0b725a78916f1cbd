package dev.currentsbridge.export.domain.input;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.input.InputMessage.S3ObjectRef;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells the export queue's message shapes apart: a storage-form event, an HTTP-connector batch, or an S3
 * "object created" notification sent directly, wrapped in an SNS envelope, or as an EventBridge event.
 * Pure; never throws on bad input (it answers {@link InputMessage.Malformed}).
 */
public final class MessageClassifier {

    private MessageClassifier() {
    }

    /**
     * @param body               the SQS message body
     * @param eventTypeAttribute the SQS message attribute {@code event_type}, or null
     */
    public static InputMessage classify(String body, String eventTypeAttribute) {
        if (body == null || body.isBlank()) {
            return new InputMessage.Malformed("empty_body", "message body is empty");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            return new InputMessage.Malformed("not_json", "message body is not JSON");
        }
        return classify(root, eventTypeAttribute, true);
    }

    private static InputMessage classify(JsonNode root, String eventTypeAttribute, boolean mayUnwrapSns) {
        if (root == null || root.isMissingNode() || !root.isObject()) {
            return new InputMessage.Malformed("unknown_shape", "message body is not a JSON object");
        }
        if (mayUnwrapSns && "Notification".equals(root.path("Type").asText(null)) && root.path("Message").isTextual()) {
            try {
                return classify(Json.MAPPER.readTree(root.get("Message").asText()), eventTypeAttribute, false);
            } catch (JacksonException e) {
                return new InputMessage.Malformed("not_json", "SNS Message is not JSON");
            }
        }
        if (root.path("Records").isArray()) {
            return s3Notification(root.get("Records"));
        }
        if ("s3:TestEvent".equals(root.path("Event").asText(null))) {
            return new InputMessage.Ignored("s3_test_event");
        }
        if ("aws.s3".equals(root.path("source").asText(null)) && root.has("detail-type")) {
            return eventBridge(root);
        }
        if (root.has("events")) {
            return new InputMessage.HttpBatch(root);
        }
        if (root.has("id")) {
            String type = root.path("event_type").isTextual() ? root.get("event_type").asText() : eventTypeAttribute;
            return new InputMessage.StorageEvent(root, type);
        }
        return new InputMessage.Malformed("unknown_shape", "not a Currents event, batch or S3 notification");
    }

    private static InputMessage s3Notification(JsonNode records) {
        List<S3ObjectRef> refs = new ArrayList<>();
        for (JsonNode r : records) {
            if (!"aws:s3".equals(r.path("eventSource").asText(null))) {
                return new InputMessage.Malformed("unknown_shape", "Records that are not S3 notifications");
            }
            if (!r.path("eventName").asText("").startsWith("ObjectCreated")) {
                continue;
            }
            String bucket = r.path("s3").path("bucket").path("name").asText(null);
            String key = r.path("s3").path("object").path("key").asText(null);
            if (bucket == null || key == null) {
                return new InputMessage.Malformed("s3_notification_incomplete", "S3 record without bucket or key");
            }
            refs.add(new S3ObjectRef(bucket, decodeKey(key)));
        }
        return refs.isEmpty() ? new InputMessage.Ignored("s3_not_object_created") : new InputMessage.S3Objects(refs);
    }

    private static InputMessage eventBridge(JsonNode root) {
        if (!"Object Created".equals(root.path("detail-type").asText())) {
            return new InputMessage.Ignored("s3_not_object_created");
        }
        String bucket = root.path("detail").path("bucket").path("name").asText(null);
        String key = root.path("detail").path("object").path("key").asText(null);
        if (bucket == null || key == null) {
            return new InputMessage.Malformed("s3_notification_incomplete", "EventBridge event without bucket or key");
        }
        return new InputMessage.S3Objects(List.of(new S3ObjectRef(bucket, decodeKey(key))));
    }

    /**
     * S3 notifications carry keys form-URL-encoded ({@code =} as {@code %3D}, a space as {@code +}, a literal
     * {@code +} as {@code %2B}); EventBridge events encode them the same way.
     */
    public static String decodeKey(String key) {
        try {
            return URLDecoder.decode(key, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return key; // not valid percent-encoding: it was sent raw
        }
    }
}
