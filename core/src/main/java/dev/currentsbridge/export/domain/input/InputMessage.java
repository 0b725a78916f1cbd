package dev.currentsbridge.export.domain.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What one export-queue message body turned out to be. */
public sealed interface InputMessage {

    /** One Currents event in storage form; its type in the body's {@code event_type} or in {@code eventTypeHint}. */
    record StorageEvent(JsonNode event, String eventTypeHint) implements InputMessage {
    }

    /** A Currents HTTP-connector batch {@code {"events":[...]}}. */
    record HttpBatch(JsonNode batch) implements InputMessage {
    }

    /** S3 objects (Currents Avro files) announced by an S3 notification, directly, via SNS or via EventBridge. */
    record S3Objects(List<S3ObjectRef> objects) implements InputMessage {
    }

    /** Nothing to export, by design (S3 test event, a notification that is not "object created"). */
    record Ignored(String reason) implements InputMessage {
    }

    /** Unreadable: goes to the rejects queue with this reason. */
    record Malformed(String reasonCode, String detail) implements InputMessage {
    }

    /** @param key the object key, already URL-decoded */
    record S3ObjectRef(String bucket, String key) {
        public String uri() {
            return "s3://" + bucket + "/" + key;
        }
    }
}
