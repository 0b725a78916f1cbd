package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.standins.fixtures.Mutations;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.fixtures.RandomCases;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input for the three Currents decoders and the mapper behind them: random mutations of the valid samples
 * of {@code events-samples/currents/} (tree edits and byte edits), random JSON and random bytes. Invariants:
 * <ul>
 *   <li>nothing but the documented exceptions leaves a decoder ({@link JsonProcessingException} for unparseable
 *       JSON, {@link MalformedInputException} for a wrong envelope or non-Avro bytes);</li>
 *   <li>every element is accounted for exactly once: accepted, or rejected with a non-blank reason;</li>
 *   <li>every accepted event maps without throwing to Mapped (valid Mixpanel shape), Skipped or Invalid (with a
 *       reason).</li>
 * </ul>
 */
class DecoderFuzzTest {

    static final FuzzStats STATS = new FuzzStats("decoders");

    private final CurrentsJsonDecoder decoder = new CurrentsJsonDecoder();
    private final EventMapper mapper = new EventMapper(MappingConfig.parse("all", null));
    private final List<String> types = CurrentsSamples.sampleTypes();
    private final Map<String, JsonNode> samples = new HashMap<>();

    private JsonNode sample(String type) {
        return samples.computeIfAbsent(type, CurrentsSamples::storageSample);
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    @Test
    void storageJsonMutations() {
        RandomCases.forAll("storage JSON mutations", Tries.scaled(1500), 0x5704A6EL, r -> {
            String type = RandomCases.oneOf(r, types);
            JsonNode sample = sample(type);
            byte[] input = mutatedJson(r, sample);
            decodeStorage(input, r.nextBoolean() ? type : null);
        });
    }

    @Test
    void httpBatchMutations() {
        JsonNode batch = CurrentsSamples.readJson(CurrentsSamples.samplesDir().resolve("http-batch-mixed.json"));
        RandomCases.forAll("HTTP batch mutations", Tries.scaled(600), 0x4770B47CL, r -> {
            JsonNode base = batch;
            if (r.nextInt(3) == 0) { // a batch built from random samples in HTTP form
                var events = Json.MAPPER.createArrayNode();
                for (int i = 1 + r.nextInt(10); i > 0; i--) {
                    events.add(CurrentsSamples.toHttpForm(sample(RandomCases.oneOf(r, types))));
                }
                base = Json.MAPPER.createObjectNode().set("events", events);
            }
            decodeHttpBatch(mutatedJson(r, base));
        });
    }

    @Test
    void randomJsonDocuments() {
        RandomCases.forAll("random JSON", Tries.scaled(1500), 0x4A50L, r -> {
            byte[] input = Mutations.randomJson(r, 1 + r.nextInt(6)).getBytes(StandardCharsets.UTF_8);
            if (r.nextBoolean()) {
                decodeStorage(input, null);
            } else {
                decodeHttpBatch(input);
            }
        });
    }

    @Test
    void avroByteMutations() {
        List<String> avroTypes = types.stream().filter(t -> CurrentsSamples.storageTypes().contains(t)).toList();
        assertFalse(avroTypes.isEmpty(), "some sample types have Avro schemas");
        RandomCases.forAll("Avro byte mutations", Tries.scaled(1200), 0xA7B0L, r -> {
            String type = RandomCases.oneOf(r, avroTypes);
            Schema schema = CurrentsSamples.writerSchema(type, r.nextBoolean(), r.nextBoolean());
            JsonNode sample = sample(type);
            int n = 1 + r.nextInt(40);
            List<GenericRecord> records = java.util.stream.IntStream.range(0, n)
                    .mapToObj(i -> CurrentsSamples.toRecord(schema, sample)).toList();
            CodecFactory codec = r.nextBoolean() ? CodecFactory.nullCodec() : CodecFactory.deflateCodec(1);
            byte[] file = CurrentsSamples.avroFile(schema, records, codec);
            byte[] input = r.nextInt(10) == 0 ? file : Mutations.mutateBytes(r, file, 4);
            readAvro(input, r.nextBoolean() ? type : null, input == file ? n : -1);
        });
    }

    /** The hand-made hostile corpus ({@code fuzz/storage}, {@code fuzz/http}) as is, then mutated. */
    @Test
    void corpusFilesAndTheirMutations() {
        var storage = Corpus.files("fuzz/storage");
        var http = Corpus.files("fuzz/http");
        assertTrue(storage.size() >= 20 && http.size() >= 8, "the corpus is there");
        RandomCases.forAll("fuzz corpus", Tries.scaled(20), 0xC0497L, r -> {
            for (var f : storage) {
                byte[] b = Corpus.bytes(f);
                decodeStorage(r.nextInt(4) == 0 ? b : Mutations.mutateBytes(r, b, 3), null);
            }
            for (var f : http) {
                byte[] b = Corpus.bytes(f);
                decodeHttpBatch(r.nextInt(4) == 0 ? b : Mutations.mutateBytes(r, b, 3));
            }
        });
    }

    /**
     * A file may name any codec in its header: the ones whose classes are left out of the Lambda jar (bzip2, xz,
     * zstandard need commons-compress) and unknown ones must be refused as malformed, not crash the invocation.
     */
    @Test
    void avroFilesNamingAnyCodec() {
        String type = "users.messages.email.Open";
        Schema schema = CurrentsSamples.writerSchema(type, false, false);
        byte[] file = CurrentsSamples.avroFile(schema, List.of(CurrentsSamples.toRecord(schema, sample(type))),
                CodecFactory.deflateCodec(1));
        for (String codec : List.of("deflate", "null", "snappy", "bzip2", "xz", "zstandard", "lzo", "", "DEFLATE")) {
            readAvro(withCodecName(file, codec), null, codec.equals("deflate") ? 1 : -1);
        }
    }

    /** The file with its {@code avro.codec} header value replaced (header values are length-prefixed). */
    static byte[] withCodecName(byte[] file, String codec) {
        byte[] from = "\u0014avro.codec\u000edeflate".getBytes(StandardCharsets.ISO_8859_1);
        byte[] name = codec.getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(file, from);
        assertTrue(at > 0, "deflate codec header found");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(file, 0, at);
        out.write(0x14);
        out.writeBytes("avro.codec".getBytes(StandardCharsets.ISO_8859_1));
        out.write(name.length * 2);
        out.writeBytes(name);
        out.write(file, at + from.length, file.length - at - from.length);
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void randomBytesEverywhere() {
        byte[] magic = {'O', 'b', 'j', 1};
        RandomCases.forAll("random bytes", Tries.scaled(1500), 0xB17E5L, r -> {
            byte[] input = Mutations.randomBytes(r, r.nextInt(2048));
            if (r.nextBoolean()) { // get past Avro's magic check into the header parser
                input = java.util.Arrays.copyOf(input, Math.max(4, input.length));
                System.arraycopy(magic, 0, input, 0, 4);
            }
            switch (r.nextInt(3)) {
                case 0 -> readAvro(input, null, -1);
                case 1 -> decodeStorage(input, "users.messages.email.Open");
                default -> decodeHttpBatch(input);
            }
        });
    }

    // ---- the invariants --------------------------------------------------------------------------------------

    private byte[] mutatedJson(Random r, JsonNode sample) throws IOException {
        if (r.nextInt(4) == 0) {
            return Mutations.mutateBytes(r, Mutations.toBytes(sample), 3);
        }
        return Mutations.toBytes(Mutations.mutateTree(r, sample, 3));
    }

    private JsonNode parse(byte[] input) {
        try {
            return Json.MAPPER.readTree(input);
        } catch (JsonProcessingException e) {
            STATS.count("json unparseable (whole message rejected)");
            return null;
        } catch (IOException e) {
            throw new AssertionError("unexpected I/O exception from an in-memory parse", e);
        }
    }

    void decodeStorage(byte[] input, String hint) {
        STATS.count("inputs");
        JsonNode node = parse(input);
        if (node == null) {
            return;
        }
        CurrentsSamples.CollectingSink sink = new CurrentsSamples.CollectingSink();
        decoder.decodeStorage(node, hint, sink);
        assertEquals(1, sink.accepted.size() + sink.rejected.size(), "a storage event is accepted or rejected once");
        sink.rejected.forEach(f -> assertEquals(-1, f.index()));
        mapAll(sink);
    }

    void decodeHttpBatch(byte[] input) {
        STATS.count("inputs");
        JsonNode node = parse(input);
        if (node == null) {
            return;
        }
        CurrentsSamples.CollectingSink sink = new CurrentsSamples.CollectingSink();
        try {
            decoder.decodeHttpBatch(node, sink);
        } catch (MalformedInputException e) {
            assertTrue(sink.accepted.isEmpty() && sink.rejected.isEmpty(), "a refused envelope emits nothing");
            assertReason(e.getMessage());
            STATS.count("envelope refused");
            return;
        }
        int size = node.get("events").size();
        assertEquals(size, sink.accepted.size() + sink.rejected.size(), "each batch element accounted for once");
        Set<Long> indexes = new HashSet<>();
        for (DecodeFailure f : sink.rejected) {
            assertTrue(f.index() >= 0 && f.index() < size, "reject index within the batch");
            assertTrue(indexes.add(f.index()), "one reject per element");
        }
        mapAll(sink);
    }

    void readAvro(byte[] input, String typeFromKey, long expectRecords) {
        STATS.count("inputs");
        CurrentsSamples.CollectingSink sink = new CurrentsSamples.CollectingSink();
        long read;
        try {
            read = new AvroEventReader().read(new ByteArrayInputStream(input), typeFromKey, sink);
        } catch (MalformedInputException e) {
            assertTrue(sink.accepted.isEmpty() && sink.rejected.isEmpty(), "a refused file emits nothing");
            assertReason(e.getMessage());
            STATS.count("avro file refused");
            return;
        }
        long lost = sink.rejected.stream().filter(f -> f.reason().contains("lost")).count();
        assertTrue(lost <= 1, "at most one 'rest of file lost' report");
        assertEquals(read, sink.accepted.size() + sink.rejected.size() - lost, "each record read accounted for once");
        if (expectRecords >= 0) {
            assertEquals(expectRecords, read);
            assertEquals(0, lost);
        }
        if (lost > 0) {
            STATS.count("avro file cut short (loss reported)");
        }
        mapAll(sink);
    }

    private void mapAll(CurrentsSamples.CollectingSink sink) {
        sink.rejected.forEach(f -> {
            assertReason(f.reason());
            STATS.count("rejected: " + f.reason().replaceAll("\\d+", "N"));
        });
        for (CurrentsEvent e : sink.accepted) {
            MappingResult result = mapper.map(e);
            switch (result) {
                case MappingResult.Mapped m -> {
                    assertMixpanelShape(m.json());
                    STATS.count("mapped");
                }
                case MappingResult.Skipped s -> STATS.count("skipped: " + s.reason().label);
                case MappingResult.Invalid i -> {
                    assertReason(i.reason());
                    STATS.count("invalid: " + i.reason().replaceAll("\\d+", "N"));
                }
            }
        }
    }

    private static void assertMixpanelShape(byte[] json) {
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("mapper wrote invalid JSON", e);
        }
        JsonNode p = event.path("properties");
        assertTrue(event.path("event").isTextual() && !event.path("event").asText().isBlank(), "event name");
        assertTrue(p.path("time").isIntegralNumber(), "time is a whole number");
        assertTrue(p.path("distinct_id").isTextual(), "distinct_id");
        assertTrue(p.path("$insert_id").isTextual() && p.path("$insert_id").asText().length() <= 36, "$insert_id");
        assertTrue(p.size() <= EventMapper.MAX_PROPERTIES, "fewer than 255 properties, got " + p.size());
        p.elements().forEachRemaining(v -> assertDepth(v, 1));
    }

    private static void assertDepth(JsonNode v, int level) {
        if (v.isContainerNode()) {
            if (level > EventMapper.MAX_DEPTH) {
                fail("container nested deeper than " + EventMapper.MAX_DEPTH);
            }
            assertTrue(v.size() <= EventMapper.MAX_CONTAINER_SIZE, "container of at most 254 elements");
            v.elements().forEachRemaining(c -> assertDepth(c, level + 1));
        }
    }

    static void assertReason(String reason) {
        assertTrue(reason != null && !reason.isBlank(), "a rejection carries a reason");
        assertTrue(reason.length() <= 300, "a reason is short: " + reason.length());
    }
}
