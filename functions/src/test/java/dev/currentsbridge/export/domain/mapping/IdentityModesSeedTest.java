package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every type of the seed's list in the three identity configurations ({@code distinct_id}, {@code simplified},
 * {@code simplified} + {@code EXPORT_ANONYMOUS}) and three identities (external id [+ device id], device id only,
 * neither): the storage JSON, HTTP batch and Avro forms give the same outcome byte for byte in each
 * configuration; {@code $insert_id} never depends on the mode; the default mode still gives the seed's expected
 * bytes.
 */
class IdentityModesSeedTest {

    private static final CurrentsJsonDecoder JSON = new CurrentsJsonDecoder();
    private static final AvroEventReader AVRO = new AvroEventReader();
    private static final Map<String, EventMapper> MODES = new LinkedHashMap<>();

    static {
        MODES.put("distinct_id", new EventMapper(MappingConfig.defaults(), IdentityConfig.parse("distinct_id", null)));
        MODES.put("simplified", new EventMapper(MappingConfig.defaults(), IdentityConfig.parse("simplified", "false")));
        MODES.put("anonymous", new EventMapper(MappingConfig.defaults(), IdentityConfig.parse("simplified", "true")));
    }

    static List<String> seedTypes() {
        return List.copyOf(MappingTable.standard().defaultTypes());
    }

    static boolean hasDeviceId(String type) {
        return CurrentsSamples.storageFields(type).stream().anyMatch(f -> f[0].equals("device_id"));
    }

    private static String deviceOf(String type) {
        return "dev-" + Integer.toHexString(type.hashCode());
    }

    @Test
    void aboutHalfOfTheSeedTypesCarryADeviceId() {
        long withDevice = seedTypes().stream().filter(IdentityModesSeedTest::hasDeviceId).count();
        assertEquals(20, withDevice, "seed types whose storage schema has device_id (spec section C)");
        assertTrue(hasDeviceId("users.behaviors.CustomEvent"));
        assertFalse(hasDeviceId("users.messages.email.Send"), "email events have no device");
    }

    @ParameterizedTest
    @MethodSource("seedTypes")
    void identifiedEventsInEveryMode(String type) throws Exception {
        ObjectNode sample = CurrentsSamples.storageSample(type);
        String external = sample.get("external_user_id").asText();
        String device = hasDeviceId(type) ? deviceOf(type) : null;
        if (device != null) {
            sample.put("device_id", device);
        }
        Map<String, String> out = outcomes(sample);

        String expectedDefault = CurrentsSamples.resourceText("/expected-mixpanel/" + type + ".json").strip();
        assertEquals(expectedDefault, out.get("distinct_id"), "the default mode is unchanged");
        String identity = ",\"$user_id\":" + quoted(external) + (device == null ? "" : ",\"$device_id\":" + quoted(device));
        String expectedSimplified = expectedDefault.replace("\"ip\":0", "\"ip\":0" + identity);
        assertTrue(expectedSimplified.length() > expectedDefault.length());
        assertEquals(expectedSimplified, out.get("simplified"), "simplified = default + $user_id [+ $device_id]");
        assertEquals(expectedSimplified, out.get("anonymous"), "the anonymous option changes nothing for a known user");
        JsonNode simplified = Json.MAPPER.readTree(out.get("simplified")).get("properties");
        assertEquals(external, simplified.get("distinct_id").asText(), "distinct_id = $user_id, as Mixpanel derives it");
        assertSameInsertId(out);
    }

    @ParameterizedTest
    @MethodSource("seedTypes")
    void deviceOnlyEventsAreExportedOnlyWithTheAnonymousOption(String type) throws Exception {
        ObjectNode sample = CurrentsSamples.storageSample(type);
        String insertId = InsertIds.fromCurrentsId(sample.get("id").asText());
        sample.putNull("external_user_id");
        boolean device = hasDeviceId(type);
        if (device) {
            sample.put("device_id", deviceOf(type));
        }
        Map<String, String> out = outcomes(sample);

        assertEquals("skipped:no_external_user_id", out.get("distinct_id"));
        assertEquals("skipped:no_external_user_id", out.get("simplified"));
        if (!device) {
            assertEquals("skipped:no_external_user_id_or_device_id", out.get("anonymous"));
            return;
        }
        JsonNode anonymous = Json.MAPPER.readTree(out.get("anonymous"));
        JsonNode properties = anonymous.get("properties");
        assertEquals("$device:" + deviceOf(type), properties.get("distinct_id").asText());
        assertEquals(deviceOf(type), properties.get("$device_id").asText());
        assertFalse(properties.has("$user_id"));
        assertEquals(insertId, properties.get("$insert_id").asText(), "the same $insert_id as when identified");
        String identifiedDefault = CurrentsSamples.resourceText("/expected-mixpanel/" + type + ".json").strip();
        JsonNode identified = Json.MAPPER.readTree(identifiedDefault);
        assertEquals(identified.get("event"), anonymous.get("event"));
        assertEquals(identified.get("properties").size() + 1, properties.size(), "only the identity differs");
    }

    @ParameterizedTest
    @MethodSource("seedTypes")
    void eventsWithNeitherIdStaySkippedByRule(String type) {
        ObjectNode sample = CurrentsSamples.storageSample(type);
        sample.putNull("external_user_id");
        if (hasDeviceId(type)) {
            sample.putNull("device_id");
        }
        Map<String, String> out = outcomes(sample);
        assertEquals("skipped:no_external_user_id", out.get("distinct_id"));
        assertEquals("skipped:no_external_user_id", out.get("simplified"));
        assertEquals("skipped:no_external_user_id_or_device_id", out.get("anonymous"));
    }

    /** Outcome per mode; asserts first that the three input forms agree byte for byte in every mode. */
    private static Map<String, String> outcomes(ObjectNode storage) {
        CurrentsEvent fromStorage = decodeStorage(storage);
        CurrentsEvent fromHttp = decodeHttp(storage);
        String type = storage.get("event_type").asText();
        Schema schema = CurrentsSamples.writerSchema(type, false, false);
        CurrentsEvent fromAvro = decodeAvro(schema, storage, CodecFactory.deflateCodec(6));
        CurrentsEvent fromAvroLong = decodeAvro(CurrentsSamples.writerSchema(type, true, true), storage,
                CodecFactory.snappyCodec());
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, EventMapper> mode : MODES.entrySet()) {
            String expected = describe(mode.getValue(), fromStorage);
            assertEquals(expected, describe(mode.getValue(), fromHttp), mode.getKey() + ": HTTP form");
            assertEquals(expected, describe(mode.getValue(), fromAvro), mode.getKey() + ": Avro form");
            assertEquals(expected, describe(mode.getValue(), fromAvroLong), mode.getKey() + ": Avro, long time, new field");
            out.put(mode.getKey(), expected);
        }
        return out;
    }

    private static void assertSameInsertId(Map<String, String> out) throws Exception {
        String first = null;
        for (Map.Entry<String, String> e : out.entrySet()) {
            String insertId = Json.MAPPER.readTree(e.getValue()).get("properties").get("$insert_id").asText();
            if (first == null) {
                first = insertId;
            }
            assertEquals(first, insertId, e.getKey());
        }
    }

    private static CurrentsEvent decodeStorage(ObjectNode storage) {
        CollectingSink sink = new CollectingSink();
        JSON.decodeStorage(storage, null, sink);
        assertEquals(List.of(), sink.rejected);
        return sink.accepted.getFirst();
    }

    private static CurrentsEvent decodeHttp(ObjectNode storage) {
        ObjectNode batch = Json.MAPPER.createObjectNode();
        batch.putArray("events").add(CurrentsSamples.toHttpForm(storage));
        CollectingSink sink = new CollectingSink();
        try {
            JSON.decodeHttpBatch(batch, sink);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(List.of(), sink.rejected);
        return sink.accepted.getFirst();
    }

    private static CurrentsEvent decodeAvro(Schema schema, ObjectNode storage, CodecFactory codec) {
        try {
            byte[] file = CurrentsSamples.avroFile(schema, List.of(CurrentsSamples.toRecord(schema, storage)), codec);
            CollectingSink sink = new CollectingSink();
            assertEquals(1, AVRO.read(new ByteArrayInputStream(file), null, sink));
            assertEquals(List.of(), sink.rejected);
            return sink.accepted.getFirst();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String describe(EventMapper mapper, CurrentsEvent event) {
        return switch (mapper.map(event)) {
            case Mapped m -> new String(m.json(), StandardCharsets.UTF_8);
            case MappingResult.Skipped s -> "skipped:" + s.reason().label;
            case MappingResult.Invalid i -> "invalid:" + i.reason();
        };
    }

    private static String quoted(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
