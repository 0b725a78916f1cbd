package dev.currentsbridge.export.domain;

import dev.currentsbridge.standins.fixtures.CurrentsSamples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingTable;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same Currents event as storage JSON, as an HTTP-connector batch element and as an Avro record (written
 * here with a writer schema built from the spec's section C) maps to byte-identical Mixpanel JSON, for every
 * sample type, every codec, int or long time, and a writer schema with a field no decoder knows.
 */
class ThreeFormsTest {

    private static final EventMapper ALL_TYPES = new EventMapper(MappingConfig.parse("all", null));
    private static final CurrentsJsonDecoder JSON = new CurrentsJsonDecoder();
    private static final AvroEventReader AVRO = new AvroEventReader();

    static List<String> types() {
        return CurrentsSamples.sampleTypes();
    }

    @Test
    void thereIsASampleForEveryTableType() {
        assertEquals(new TreeSet<>(MappingTable.standard().allTypes()), new TreeSet<>(types()));
    }

    @Test
    void typesWithoutAnExternalUserIdFieldAreSkippedInEveryForm() throws Exception {
        for (String type : List.of("agentconsole.ToolInvocation", "users.UserDeleteRequest")) {
            assertTrue(CurrentsSamples.storageFields(type).stream().noneMatch(f -> f[0].equals("external_user_id")));
            assertEquals("skipped:no_external_user_id", describe(decodeStorage(CurrentsSamples.storageSample(type))));
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void storageHttpAndAvroFormsGiveTheSameBytes(String type) throws Exception {
        ObjectNode storage = CurrentsSamples.storageSample(type);
        String expected = describe(decodeStorage(storage));

        ObjectNode batch = Json.MAPPER.createObjectNode();
        batch.putArray("events").add(CurrentsSamples.toHttpForm(storage));
        CollectingSink httpSink = new CollectingSink();
        JSON.decodeHttpBatch(batch, httpSink);
        assertEquals(List.of(), httpSink.rejected);
        assertEquals(expected, describe(httpSink.accepted.getFirst()), "HTTP form");

        for (CodecFactory codec : List.of(CodecFactory.nullCodec(), CodecFactory.deflateCodec(6), CodecFactory.snappyCodec())) {
            for (boolean longTime : new boolean[]{false, true}) {
                for (boolean extraField : new boolean[]{false, true}) {
                    Schema schema = CurrentsSamples.writerSchema(type, longTime, extraField);
                    byte[] file = CurrentsSamples.avroFile(schema, List.of(CurrentsSamples.toRecord(schema, storage)), codec);
                    CollectingSink avroSink = new CollectingSink();
                    long read = AVRO.read(new ByteArrayInputStream(file), null, avroSink);
                    String form = "Avro " + codec + " longTime=" + longTime + " extraField=" + extraField;
                    assertEquals(1, read, form);
                    assertEquals(List.of(), avroSink.rejected, form);
                    CurrentsEvent event = avroSink.accepted.getFirst();
                    assertEquals(type, event.type(), "type from the schema name");
                    assertEquals(extraField, event.fields().containsKey("brand_new_field"), form);
                    assertEquals(expected, describe(event), form);
                }
            }
        }
    }

    @Test
    void decodedFieldsAgreeAcrossFormsNotOnlyTheMappedSubset() throws Exception {
        ObjectNode storage = CurrentsSamples.storageSample("users.behaviors.Location");
        CurrentsEvent fromJson = decodeStorage(storage);
        Schema schema = CurrentsSamples.writerSchema("users.behaviors.Location", false, false);
        CollectingSink sink = new CollectingSink();
        AVRO.read(new ByteArrayInputStream(CurrentsSamples.avroFile(schema,
                List.of(CurrentsSamples.toRecord(schema, storage)), CodecFactory.nullCodec())), null, sink);
        CurrentsEvent fromAvro = sink.accepted.getFirst();
        assertEquals(fromJson.fields(), fromAvro.fields());
        // float latitude 40.7128f comes back as 40.7128, not 40.712799072265625
        assertEquals(40.7128, fromAvro.fields().get("latitude"));
        assertEquals(Map.copyOf(fromJson.fields()), Map.copyOf(fromAvro.fields()));
    }

    @Test
    void manyRecordsInOneFileKeepTheirOrderAndBytes() throws Exception {
        List<ObjectNode> samples = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        String type = "users.messages.email.Open";
        Schema schema = CurrentsSamples.writerSchema(type, false, false);
        List<org.apache.avro.generic.GenericRecord> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ObjectNode sample = CurrentsSamples.storageSample(type);
            sample.put("id", "id-" + i);
            sample.put("time", 1764300000 + i);
            samples.add(sample);
            expected.add(mapOne(decodeStorage(sample)));
            records.add(CurrentsSamples.toRecord(schema, sample));
        }
        CollectingSink sink = new CollectingSink();
        AVRO.read(new ByteArrayInputStream(CurrentsSamples.avroFile(schema, records, CodecFactory.deflateCodec(1))), null, sink);
        List<String> actual = sink.accepted.stream().map(ThreeFormsTest::mapOne).toList();
        assertEquals(expected, actual);
        assertTrue(actual.get(49).contains("\"$insert_id\":\"id-49\""));
    }

    private static CurrentsEvent decodeStorage(ObjectNode storage) {
        CollectingSink sink = new CollectingSink();
        JSON.decodeStorage(storage, null, sink);
        assertEquals(List.of(), sink.rejected);
        return sink.accepted.getFirst();
    }

    /** The mapping outcome as one comparable string: the JSON when mapped, else the skip/invalid reason. */
    private static String describe(CurrentsEvent event) {
        return switch (ALL_TYPES.map(event)) {
            case Mapped m -> new String(m.json(), StandardCharsets.UTF_8);
            case MappingResult.Skipped s -> "skipped:" + s.reason().label;
            case MappingResult.Invalid i -> "invalid:" + i.reason();
        };
    }

    private static String mapOne(CurrentsEvent event) {
        MappingResult result = ALL_TYPES.map(event);
        return new String(assertInstanceOf(Mapped.class, result, event.type()).json(), StandardCharsets.UTF_8);
    }
}
