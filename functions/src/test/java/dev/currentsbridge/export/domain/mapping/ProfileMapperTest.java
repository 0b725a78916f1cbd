package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;
import dev.currentsbridge.export.domain.mapping.ProfileMapper.ProfileInvalid;
import dev.currentsbridge.export.domain.mapping.ProfileMapper.ProfileResult;
import dev.currentsbridge.export.domain.mapping.ProfileMapper.ProfileSkipped;
import dev.currentsbridge.export.domain.mapping.ProfileMapper.ProfileUpdate;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code users.profile.Update} -> Mixpanel {@code /engage} {@code $set}, from the profile table. */
class ProfileMapperTest {

    private static final String TYPE = ProfileTable.PROFILE_TYPE;
    private static final ProfileMapper MAPPER = new ProfileMapper();

    /** The sample of events-samples/currents, exactly as /engage receives it (before $token). */
    private static final String SAMPLE_UPDATE = "{\"$distinct_id\":\"user-01101\",\"$set\":{"
            + "\"$braze_external_id\":\"user-01101\",\"$first_name\":\"Jane\",\"$last_name\":\"Doe\","
            + "\"$email\":\"jane.doe@example.com\",\"$phone\":\"+15555550123\",\"$city\":\"Springfield\","
            + "\"$country_code\":\"US\",\"$timezone\":\"America/New_York\",\"[Braze attribute] gender\":\"F\","
            + "\"[Braze attribute] dob\":\"1990-04-01\",\"[Braze attribute] language\":\"en\","
            + "\"[Braze attribute] loyalty_tier\":\"gold\"}}";

    private static String text(ProfileResult result) {
        return new String(assertInstanceOf(ProfileUpdate.class, result).json(), StandardCharsets.UTF_8);
    }

    private static CurrentsEvent profile(String user, Map<String, Object> fields) {
        return new CurrentsEvent(TYPE, "p-1", 1_764_313_837L, user, fields);
    }

    @Test
    void theSampleMapsToReservedNamesPrefixedAttributesAndTheExternalId() {
        ProfileUpdate update = assertInstanceOf(ProfileUpdate.class,
                MAPPER.map(decodeStorage(CurrentsSamples.storageSample(TYPE))));
        assertEquals(SAMPLE_UPDATE, new String(update.json(), StandardCharsets.UTF_8));
        assertEquals("844bf9c4-8f57-5ae5-b6ac-f3c1669bcc0b", update.insertId());
        assertEquals(TYPE, update.currentsType());
    }

    @Test
    void theThreeInputFormsGiveTheSameBytes() throws Exception {
        ObjectNode storage = CurrentsSamples.storageSample(TYPE);
        String expected = text(MAPPER.map(decodeStorage(storage)));

        ObjectNode batch = Json.MAPPER.createObjectNode();
        batch.putArray("events").add(CurrentsSamples.toHttpForm(storage));
        CollectingSink http = new CollectingSink();
        new CurrentsJsonDecoder().decodeHttpBatch(batch, http);
        assertEquals(expected, text(MAPPER.map(http.accepted.getFirst())), "HTTP form");

        // The HTTP connector may carry custom_attributes as an object rather than a JSON string.
        ObjectNode asObject = CurrentsSamples.toHttpForm(storage);
        ((ObjectNode) asObject.get("properties")).set("custom_attributes",
                Json.MAPPER.readTree(storage.get("custom_attributes").asText()));
        ObjectNode objectBatch = Json.MAPPER.createObjectNode();
        objectBatch.putArray("events").add(asObject);
        CollectingSink httpObject = new CollectingSink();
        new CurrentsJsonDecoder().decodeHttpBatch(objectBatch, httpObject);
        assertEquals(expected, text(MAPPER.map(httpObject.accepted.getFirst())), "HTTP form, attributes as object");

        for (boolean longTime : new boolean[]{false, true}) {
            Schema schema = CurrentsSamples.writerSchema(TYPE, longTime, longTime);
            byte[] file = CurrentsSamples.avroFile(schema, List.of(CurrentsSamples.toRecord(schema, storage)),
                    CodecFactory.deflateCodec(6));
            CollectingSink avro = new CollectingSink();
            new AvroEventReader().read(new ByteArrayInputStream(file), null, avro);
            assertEquals(List.of(), avro.rejected);
            assertEquals(expected, text(MAPPER.map(avro.accepted.getFirst())), "Avro longTime=" + longTime);
        }
    }

    @Test
    void nullAndAbsentFieldsAreLeftOutAndMetadataIsNotSent() throws Exception {
        Map<String, Object> fields = new HashMap<>();
        fields.put("first_name", "Ann");
        fields.put("app_group_id", "g");
        fields.put("user_id", "braze-1");
        fields.put("update_source", "sdk");
        fields.put("archived", false);
        fields.put("time_ms", 1L);
        assertEquals("{\"$distinct_id\":\"u-1\",\"$set\":{\"$braze_external_id\":\"u-1\",\"$first_name\":\"Ann\"}}",
                text(MAPPER.map(profile("u-1", fields))));
    }

    @Test
    void customAttributesKeepTheirTypesSortedAndPrefixed() throws Exception {
        Map<String, Object> fields = new HashMap<>();
        fields.put("custom_attributes", "{\"z\":1.0,\"a\":[1,2],\"nested\":{\"b\":{\"c\":{\"d\":{}}}},\"flag\":true,"
                + "\"gender\":\"custom\"}");
        JsonNode set = Json.MAPPER.readTree(text(MAPPER.map(profile("u-1", fields)))).get("$set");
        List<String> names = new ArrayList<>();
        set.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("$braze_external_id", "[Braze attribute] a", "[Braze attribute] flag",
                "[Braze attribute] gender", "[Braze attribute] nested", "[Braze attribute] z"), names);
        assertEquals(1, set.get("[Braze attribute] z").asInt());
        assertTrue(set.get("[Braze attribute] z").isIntegralNumber(), "whole doubles as integers");
        assertTrue(set.get("[Braze attribute] nested").get("b").get("c").get("d").isTextual(), "depth 3, deeper as a string");
        assertEquals("custom", set.get("[Braze attribute] gender").asText(), "no standard gender: the custom one");

        fields.put("gender", "F");
        JsonNode both = Json.MAPPER.readTree(text(MAPPER.map(profile("u-1", fields)))).get("$set");
        assertEquals("F", both.get("[Braze attribute] gender").asText(), "the standard attribute wins");
    }

    @Test
    void withTokenPutsTheTokenFirst() throws Exception {
        ProfileUpdate update = assertInstanceOf(ProfileUpdate.class, MAPPER.map(profile("u-1", Map.of("first_name", "Ann"))));
        String sent = new String(update.withToken("tok\"1"), StandardCharsets.UTF_8);
        assertEquals("{\"$token\":\"tok\\\"1\",\"$distinct_id\":\"u-1\",\"$set\":{\"$braze_external_id\":\"u-1\","
                + "\"$first_name\":\"Ann\"}}", sent);
        assertEquals("u-1", Json.MAPPER.readTree(sent).get("$distinct_id").asText());
    }

    @Test
    void withoutAnExternalIdTheUpdateIsSkippedInEveryIdentityMode() {
        assertEquals(new ProfileSkipped(TYPE, SkipReason.NO_EXTERNAL_USER_ID),
                MAPPER.map(profile(null, Map.of("device_id", "d-1", "first_name", "Ann"))));
        assertEquals(new ProfileSkipped(TYPE, SkipReason.NO_EXTERNAL_USER_ID), MAPPER.map(profile("  ", Map.of())));
        assertEquals(new ProfileSkipped("users.behaviors.Uninstall", SkipReason.TYPE_NOT_SELECTED),
                MAPPER.map(new CurrentsEvent("users.behaviors.Uninstall", "x", 1_764_313_837L, "u", Map.of())));
        assertFalse(ProfileMapper.handles("users.behaviors.Uninstall"));
        assertTrue(ProfileMapper.handles(TYPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "Anonymous", "0"})
    void aPlaceholderExternalIdIsInvalid(String user) {
        ProfileInvalid invalid = assertInstanceOf(ProfileInvalid.class, MAPPER.map(profile(user, Map.of())));
        assertEquals("external_user_id is a placeholder value Mixpanel rejects as distinct_id", invalid.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "{\"a\":", "{} x"})
    void unusableCustomAttributesAreInvalidWithoutTheirValue(String json) {
        ProfileInvalid invalid = assertInstanceOf(ProfileInvalid.class,
                MAPPER.map(profile("u-1", Map.of("custom_attributes", json))));
        assertTrue(invalid.reason().contains("custom_attributes"), invalid.reason());
        assertFalse(invalid.reason().contains(json), invalid.reason());
        assertEquals("wrong type: custom_attributes", assertInstanceOf(ProfileInvalid.class,
                MAPPER.map(profile("u-1", Map.of("custom_attributes", 42L)))).reason());
    }

    @Test
    void anUpdateOverOneMegabyteIsInvalid() {
        Map<String, Object> custom = new LinkedHashMap<>();
        String big = "x".repeat(10_000);
        for (int i = 0; i < 101; i++) {
            custom.put("k" + i, big);
        }
        ProfileInvalid invalid = assertInstanceOf(ProfileInvalid.class,
                MAPPER.map(profile("u-1", Map.of("custom_attributes", custom))));
        assertEquals("profile update over 1 MB", invalid.reason());
        custom.remove("k100");
        custom.remove("k99");
        assertInstanceOf(ProfileUpdate.class, MAPPER.map(profile("u-1", Map.of("custom_attributes", custom))));
    }

    @Test
    void theTableRefusesWhatTheMapperWrites() {
        for (String row : List.of("a\t$braze_external_id", "a\t$distinct_id", "custom_attributes\tx", "a\tb\tc",
                "a\t", "a\tx\nb\tx", "a\tx\na\ty")) {
            assertThrows(IllegalStateException.class, () -> ProfileTable.parse(new StringReader(row)), row);
        }
        assertEquals(10, ProfileTable.standard().rows().size());
        assertEquals("$email", ProfileTable.standard().rows().get(2).property());
    }

    private static CurrentsEvent decodeStorage(ObjectNode storage) {
        CollectingSink sink = new CollectingSink();
        new CurrentsJsonDecoder().decodeStorage(storage, null, sink);
        assertEquals(List.of(), sink.rejected);
        return sink.accepted.getFirst();
    }
}
