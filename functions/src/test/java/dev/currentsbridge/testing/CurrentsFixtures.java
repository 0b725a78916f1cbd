package dev.currentsbridge.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Currents inputs for tests, in every form the export queue accepts: storage-form JSON, HTTP-connector
 * batches, Avro object container files (written with a Currents-like writer schema), and the S3 notification
 * envelopes (direct, SNS-wrapped, EventBridge) that point at those files.
 *
 * <p>The events are {@code users.messages.email.Open} (a seed type with flat fields) and
 * {@code users.behaviors.CustomEvent} (with custom properties).
 */
public final class CurrentsFixtures {

    public static final String EMAIL_OPEN = "users.messages.email.Open";
    public static final String CUSTOM_EVENT = "users.behaviors.CustomEvent";
    public static final long TIME = 1_700_000_000L;

    private static final String EMAIL_OPEN_SCHEMA = """
            {"type":"record","name":"Open","namespace":"dataexport.S3.inner.users.messages.email","fields":[
             {"name":"id","type":"string"},
             {"name":"user_id","type":"string"},
             {"name":"external_user_id","type":["null","string"],"default":null},
             {"name":"time","type":"int"},
             {"name":"timezone","type":["null","string"],"default":null},
             {"name":"campaign_id","type":["null","string"],"default":null},
             {"name":"campaign_name","type":["null","string"],"default":null},
             {"name":"send_id","type":["null","string"],"default":null},
             {"name":"email_address","type":["null","string"],"default":null},
             {"name":"user_agent","type":["null","string"],"default":null},
             {"name":"machine_open","type":["null","string"],"default":null}]}""";

    private CurrentsFixtures() {
    }

    /** A storage-form email open; {@code externalUserId} may be null (skipped by rule). */
    public static ObjectNode emailOpen(String id, String externalUserId) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("user_id", "braze-" + id);
        if (externalUserId != null) {
            o.put("external_user_id", externalUserId);
        }
        o.put("time", TIME);
        o.put("timezone", "Europe/Paris");
        o.put("campaign_id", "camp-1");
        o.put("campaign_name", "Spring sale");
        o.put("send_id", "send-1");
        o.put("email_address", "person-" + id + "@example.com");
        o.put("user_agent", "Mozilla/5.0");
        return o;
    }

    /** Storage form with the type inside the body. */
    public static String storageJson(String id, String externalUserId) {
        return emailOpen(id, externalUserId).put("event_type", EMAIL_OPEN).toString();
    }

    /** One HTTP-connector custom event. */
    public static ObjectNode httpCustomEvent(String id, String externalUserId, long time) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("event_type", CUSTOM_EVENT);
        e.put("id", id);
        e.put("time", time);
        ObjectNode user = e.putObject("user");
        user.put("user_id", "braze-" + id);
        if (externalUserId != null) {
            user.put("external_user_id", externalUserId);
        }
        user.put("timezone", "America/New_York");
        ObjectNode props = e.putObject("properties");
        props.put("app_id", "app-1");
        props.put("platform", "android");
        props.put("name", "Added To Cart");
        props.putObject("custom_properties").put("sku", "A-1").put("quantity", 2);
        return e;
    }

    /** {@code {"events":[...]}} of custom events with ids {@code prefix-0..n-1}, all with external ids. */
    public static String httpBatch(String prefix, int n) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode events = root.putArray("events");
        for (int i = 0; i < n; i++) {
            events.add(httpCustomEvent(prefix + "-" + i, "user-" + prefix + "-" + i, TIME));
        }
        return root.toString();
    }

    public static String httpBatch(List<ObjectNode> events) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("events").addAll(events);
        return root.toString();
    }

    /** The Currents key layout, with the {@code event_type=} and {@code date=} segments. */
    public static String s3Key(String type, String name) {
        return "currents/dataexport.prod-01.S3.integration.abc123/event_type=" + type
                + "/date=2026-11-28-22/321/ab/dataexport.prod-01.S3.integration.abc123+0+" + name + ".avro";
    }

    /** An Avro container file of email opens with ids {@code prefix-0..n-1}; every {@code noUserEvery}-th lacks an external id. */
    public static byte[] emailOpenAvro(String prefix, int n, int noUserEvery, CodecFactory codec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeEmailOpenAvro(out, prefix, n, noUserEvery, codec);
        return out.toByteArray();
    }

    public static void writeEmailOpenAvro(OutputStream out, String prefix, int n, int noUserEvery, CodecFactory codec) {
        Schema schema = new Schema.Parser().parse(EMAIL_OPEN_SCHEMA);
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            w.setCodec(codec);
            w.create(schema, out);
            for (int i = 0; i < n; i++) {
                GenericRecord r = new GenericData.Record(schema);
                String id = prefix + "-" + i;
                r.put("id", id);
                r.put("user_id", "braze-" + id);
                r.put("external_user_id", noUserEvery > 0 && i % noUserEvery == 0 ? null : "user-" + id);
                r.put("time", (int) TIME);
                r.put("campaign_id", "camp-1");
                r.put("send_id", "send-1");
                r.put("email_address", "person-" + id + "@example.com");
                w.append(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** S3 -> SQS notification; the key is form-URL-encoded as S3 does. */
    public static String s3Notification(String bucket, String key) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode r = root.putArray("Records").addObject();
        r.put("eventVersion", "2.1");
        r.put("eventSource", "aws:s3");
        r.put("awsRegion", "us-east-1");
        r.put("eventTime", "2026-11-28T22:00:00.000Z");
        r.put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = r.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        s3.putObject("object").put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", 1024).put("sequencer", "0055AED6DCD90281E5");
        return root.toString();
    }

    /** An SNS notification (raw delivery off) carrying {@code message}. */
    public static String snsWrapped(String message) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("Type", "Notification");
        o.put("MessageId", "95df01b4-ee98-5cb9-9903-4c221d41eb5e");
        o.put("TopicArn", "arn:aws:sns:us-east-1:000000000000:currents");
        o.put("Subject", "Amazon S3 Notification");
        o.put("Message", message);
        o.put("Timestamp", "2026-11-28T22:00:00.000Z");
        o.put("SignatureVersion", "1");
        return o.toString();
    }

    /** An EventBridge "Object Created" event from S3. */
    public static String eventBridgeObjectCreated(String bucket, String key) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("version", "0");
        o.put("id", "17793124-05d4-b198-2fde-7ededc63b103");
        o.put("detail-type", "Object Created");
        o.put("source", "aws.s3");
        o.put("account", "000000000000");
        o.put("time", "2026-11-28T22:00:00Z");
        o.put("region", "us-east-1");
        o.putArray("resources").add("arn:aws:s3:::" + bucket);
        ObjectNode d = o.putObject("detail");
        d.put("version", "0");
        d.putObject("bucket").put("name", bucket);
        d.putObject("object").put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", 1024);
        d.put("reason", "PutObject");
        return o.toString();
    }
}
