package dev.currentsbridge.export.domain.decode;

import dev.currentsbridge.standins.fixtures.CountingInputStream;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvroEventReaderTest {

    private static final String TYPE = "users.messages.email.Open";
    private final AvroEventReader reader = new AvroEventReader();

    @Test
    void typeFromTheKeyWinsOverTheSchemaName() throws Exception {
        CollectingSink sink = new CollectingSink();
        reader.read(new ByteArrayInputStream(file(3, CodecFactory.nullCodec(), null)), "users.messages.email.Click", sink);
        assertEquals(3, sink.accepted.size());
        assertTrue(sink.accepted.stream().allMatch(e -> e.type().equals("users.messages.email.Click")));
    }

    @Test
    void oldSchemaNamesWithoutThePrefixAreTheTypeItself() throws Exception {
        Schema schema = SchemaBuilder.record("users.behaviors.Uninstall").fields()
                .requiredString("id").requiredInt("time").optionalString("external_user_id").requiredString("app_id")
                .endRecord();
        GenericRecord record = new GenericData.Record(schema);
        record.put("id", "u-1");
        record.put("time", 1764300000);
        record.put("app_id", "app");
        CollectingSink sink = new CollectingSink();
        reader.read(new ByteArrayInputStream(CurrentsSamples.avroFile(schema, List.of(record), CodecFactory.nullCodec())), null, sink);
        CurrentsEvent event = sink.accepted.getFirst();
        assertEquals("users.behaviors.Uninstall", event.type());
        assertNull(event.externalUserId());
        assertEquals(Map.of("app_id", "app"), event.fields());
    }

    @Test
    void recordsWithoutIdOrTimeAreRejectedOneByOne() throws Exception {
        Schema schema = SchemaBuilder.record("dataexport.S3.inner.users.behaviors.Uninstall").fields()
                .optionalString("id").optionalLong("time").optionalString("external_user_id").endRecord();
        List<GenericRecord> records = new ArrayList<>();
        String[][] rows = {{"a", "1764300000"}, {null, "1764300000"}, {"c", null}, {"d", "1764300001"}};
        for (String[] row : rows) {
            GenericRecord r = new GenericData.Record(schema);
            r.put("id", row[0] == null ? null : new Utf8(row[0]));
            r.put("time", row[1] == null ? null : Long.parseLong(row[1]));
            r.put("external_user_id", "user-1");
            records.add(r);
        }
        CollectingSink sink = new CollectingSink();
        long read = reader.read(new ByteArrayInputStream(CurrentsSamples.avroFile(schema, records, CodecFactory.deflateCodec(1))), null, sink);
        assertEquals(4, read);
        assertEquals(List.of("a", "d"), sink.accepted.stream().map(CurrentsEvent::id).toList());
        assertEquals(List.of(1L, 2L), sink.rejected.stream().map(DecodeFailure::index).toList());
        assertEquals(List.of("missing field: id", "missing field: time"),
                sink.rejected.stream().map(DecodeFailure::reason).toList());
    }

    @Test
    void notAvroBytesAreMalformed() {
        for (byte[] bytes : List.of("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[]{'O', 'b', 'j'})) {
            assertThrows(MalformedInputException.class,
                    () -> reader.read(new ByteArrayInputStream(bytes), null, new CollectingSink()));
        }
    }

    @Test
    void aFileOfNonRecordsIsMalformed() throws Exception {
        Schema schema = Schema.create(Schema.Type.STRING);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
            writer.create(schema, out);
            writer.append(new Utf8("x"));
        }
        assertThrows(MalformedInputException.class,
                () -> reader.read(new ByteArrayInputStream(out.toByteArray()), null, new CollectingSink()));
    }

    @Test
    void aTruncatedHeaderIsMalformed() throws Exception {
        byte[] whole = file(10, CodecFactory.nullCodec(), null);
        byte[] cut = Arrays.copyOf(whole, 20);
        assertThrows(MalformedInputException.class, () -> reader.read(new ByteArrayInputStream(cut), null, new CollectingSink()));
    }

    @ParameterizedTest
    @CsvSource({"null,true", "deflate,true", "snappy,true", "null,false", "deflate,false", "snappy,false"})
    void aFileCutInsideABlockDeliversTheCompleteBlocksAndReportsTheLoss(String codec, boolean byteArray) throws Exception {
        List<Long> blockEnds = new ArrayList<>();
        byte[] whole = file(30, CodecFactory.fromString(codec), blockEnds);
        // cut in the middle of the third block (records 20..29)
        int cut = (int) ((blockEnds.get(1) + blockEnds.get(2)) / 2);
        CollectingSink sink = new CollectingSink();
        // Avro checks block sizes against what a ByteArrayInputStream holds; other streams (S3) hit the end
        InputStream in = new ByteArrayInputStream(Arrays.copyOf(whole, cut));
        long read = reader.read(byteArray ? in : new CountingInputStream(in), null, sink);
        assertEquals(20, read);
        assertEquals(20, sink.accepted.size());
        DecodeFailure loss = sink.rejected.getFirst();
        assertEquals(1, sink.rejected.size());
        assertEquals(20, loss.index());
        assertEquals("truncated or corrupt Avro block at record 20: rest of file unreadable, an unknown number of records lost", loss.reason());
    }

    @Test
    void aCorruptRecordRejectsTheRestOfItsBlockWithoutCrashing() throws Exception {
        List<Long> blockEnds = new ArrayList<>();
        byte[] bytes = file(30, CodecFactory.nullCodec(), blockEnds);
        // the second block's data starts after its two varint headers (count 10: 1 byte, size: 2 bytes)
        int dataStart = (int) (long) blockEnds.get(0) + 3;
        Arrays.fill(bytes, dataStart, dataStart + 12, (byte) 0xFF);
        CollectingSink sink = new CollectingSink();
        long read = reader.read(new ByteArrayInputStream(bytes), null, sink);
        assertEquals(10, read);
        assertEquals(10, sink.accepted.size());
        assertEquals(1, sink.rejected.size());
        assertEquals(10, sink.rejected.getFirst().index());
        assertEquals("corrupt Avro record at record 10: rest of file unreadable, at least 10 records lost",
                sink.rejected.getFirst().reason());
    }

    @Test
    void aCorruptCompressedBlockIsReportedNotThrown() throws Exception {
        List<Long> blockEnds = new ArrayList<>();
        byte[] bytes = file(30, CodecFactory.deflateCodec(6), blockEnds);
        int middleOfSecondBlock = (int) ((blockEnds.get(0) + blockEnds.get(1)) / 2);
        Arrays.fill(bytes, middleOfSecondBlock - 4, middleOfSecondBlock + 4, (byte) 0x5A);
        CollectingSink sink = new CollectingSink();
        long read = reader.read(new ByteArrayInputStream(bytes), null, sink);
        assertEquals(10, read);
        assertEquals(10, sink.accepted.size());
        // inflating damaged bytes either fails (a block error) or yields garbage records (a record error)
        String reason = sink.rejected.getFirst().reason();
        assertTrue(reason.startsWith("truncated or corrupt Avro block at record 10")
                || reason.startsWith("corrupt Avro record at record 10"), reason);
        assertTrue(reason.endsWith("records lost"), reason);
        assertEquals(10, sink.rejected.getFirst().index());
    }

    @Test
    void aHundredThousandRecordsStreamWithoutReadingTheWholeFileFirst(@TempDir Path dir) throws Exception {
        Schema schema = CurrentsSamples.writerSchema(TYPE, false, false);
        ObjectNode sample = CurrentsSamples.storageSample(TYPE);
        GenericRecord record = CurrentsSamples.toRecord(schema, sample);
        Path path = dir.resolve("big.avro");
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            writer.setCodec(CodecFactory.deflateCodec(1));
            writer.create(schema, Files.newOutputStream(path));
            for (int i = 0; i < 100_000; i++) {
                record.put("id", new Utf8("evt-" + i));
                writer.append(record);
            }
        }
        long size = Files.size(path);
        long[] bytesReadAtFirstEvent = {-1};
        long[] count = {0};
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(path))) {
            long read = reader.read(in, null, new EventSink() {
                @Override
                public void accept(CurrentsEvent event) {
                    if (count[0]++ == 0) {
                        bytesReadAtFirstEvent[0] = in.count();
                    }
                }

                @Override
                public void reject(DecodeFailure failure) {
                    throw new AssertionError(failure.reason());
                }
            });
            assertEquals(100_000, read);
            assertEquals(100_000, count[0]);
            assertEquals(size, in.count(), "the whole file was read in the end");
        }
        assertTrue(bytesReadAtFirstEvent[0] < size / 4,
                "the first event came after " + bytesReadAtFirstEvent[0] + " of " + size + " bytes");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "currents/dataexport.prod-01.S3.integration.5f1a/event_type=users.messages.email.Open/date=2026-11-28-21/343/us-east-1/dataexport.prod-01.S3.integration.5f1a+0+0000012.avro|users.messages.email.Open",
            "dataexport.S3.integration.5f1a/event_type=users.behaviors.CustomEvent/date=2026-11-28-21/version=2/dataexport.S3.integration.5f1a+3+17.avro|users.behaviors.CustomEvent",
            "event_type=users.canvas.Entry/x.avro|users.canvas.Entry",
            "prefix/event_type%3Dusers.messages.sms.Send/date%3D2026-11-28-21/f.avro|users.messages.sms.Send",
            "prefix/date=2026-11-28-21/f.avro|NULL",
            "prefix/event_type=/f.avro|NULL",
            "prefix/not_event_type=users.x/f.avro|NULL",
    })
    void eventTypeIsTheEventTypeSegmentWhereverItSits(String key, String expected) {
        assertEquals(expected, AvroEventReader.eventTypeFromS3Key(key));
    }

    @Test
    void nullKeyHasNoType() {
        assertNull(AvroEventReader.eventTypeFromS3Key(null));
    }

    /** A file of {@code n} records of {@link #TYPE}, with a block boundary after every 10 records. */
    private static byte[] file(int n, CodecFactory codec, List<Long> blockEnds) throws IOException {
        Schema schema = CurrentsSamples.writerSchema(TYPE, false, false);
        ObjectNode sample = CurrentsSamples.storageSample(TYPE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            writer.setCodec(codec);
            writer.create(schema, out);
            for (int i = 0; i < n; i++) {
                sample.put("id", "evt-" + i);
                writer.append(CurrentsSamples.toRecord(schema, sample));
                if (i % 10 == 9) {
                    long end = writer.sync();
                    if (blockEnds != null) {
                        blockEnds.add(end);
                    }
                }
            }
        }
        return out.toByteArray();
    }

}
