package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.AvroLimitException;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.faults.FaultyRejectSink;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import dev.currentsbridge.standins.fixtures.HostileAvro;
import dev.currentsbridge.standins.mixpanel.ScheduledMixpanel;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Each file of the hostile Avro corpus ({@link HostileAvro}) refused with its own reason, in process. */
class HostileAvroCorpusTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "block-size-bomb.avro|Avro block over the size limit (2000000000 bytes, limit 16 MiB) at record 0",
            "deflate-bomb.avro|Avro block inflates over the size limit (16 MiB) at record 0",
            "snappy-length-bomb.avro|Avro block inflates over the size limit (16 MiB) at record 0",
            "negative-block-count.avro|corrupt Avro block header (negative count or size) at record 0",
            "huge-string-length.avro|corrupt Avro record at record 0",
            "huge-array-count.avro|corrupt Avro record at record 0",
            "truncated-block.avro|truncated or corrupt Avro block at record 0",
    })
    void aBadBlockIsOneRejectWithItsReason(String file, String reason) throws Exception {
        CollectingSink sink = new CollectingSink();
        long read = new AvroEventReader().read(new ByteArrayInputStream(Corpus.bytes(corpusFile(file))), null, sink);
        assertEquals(0, read);
        assertEquals(List.of(), sink.accepted);
        assertEquals(1, sink.rejected.size());
        DecodeFailure failure = sink.rejected.getFirst();
        assertTrue(failure.reason().startsWith(reason + ": rest of file unreadable"), failure.reason());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "recursive-schema-200000-deep.avro|recursive Avro schema (a record contains itself)",
            "deep-schema-200-levels.avro|Avro schema nested deeper than 64 levels",
            "header-length-bomb.avro|Avro header larger than the 1 MiB limit",
    })
    void aHostileHeaderIsRefusedBeforeAnyRecord(String file, String reason) {
        CollectingSink sink = new CollectingSink();
        MalformedInputException e = assertThrows(MalformedInputException.class, () ->
                new AvroEventReader().read(new ByteArrayInputStream(Corpus.bytes(corpusFile(file))), null, sink));
        assertInstanceOf(AvroLimitException.class, e);
        assertEquals(reason, e.getMessage());
        assertTrue(sink.accepted.isEmpty() && sink.rejected.isEmpty());
    }

    @Test
    void millionsOfEmptyHeaderEntriesReachTheHeaderLimitToo() {
        // a map block announcing 1,000,000 entries, each an empty key and an empty value (2 bytes)
        byte[] bytes = new byte[4 + 3 + 2_000_000];
        System.arraycopy(new byte[] {'O', 'b', 'j', 1, (byte) 0x80, (byte) 0x89, 0x7a}, 0, bytes, 0, 7);
        AvroLimitException e = assertThrows(AvroLimitException.class, () ->
                new AvroEventReader().read(new ByteArrayInputStream(bytes), null, new CollectingSink()));
        assertEquals("Avro header larger than the 1 MiB limit", e.getMessage());
    }

    @Test
    void theCorpusIsWhatTheGeneratorWrites() {
        List<String> names = Corpus.files("fuzz/avro-hostile").stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(HostileAvro.all().keySet().stream().sorted().toList(), names);
    }

    @Test
    void anErrorThrownWhileReadingAFileRejectsThatFileOnly() {
        // Whatever a reader throws (an Error included) stays with its file: at the header, or inside a block.
        byte[] good = CurrentsFixtures.emailOpenAvro("ok", 4, 0, CodecFactory.nullCodec());
        byte[] twoBlocks = CurrentsFixtures.emailOpenAvro("late", 4, 0, CodecFactory.nullCodec());
        Map<String, Supplier<InputStream>> files = Map.of(
                "good", () -> new ByteArrayInputStream(good),
                "oom-at-open", () -> throwing(new ByteArrayInputStream(good), 0, new OutOfMemoryError("injected")),
                "soe-in-block", () -> throwing(new ByteArrayInputStream(twoBlocks), twoBlocks.length - 30,
                        new StackOverflowError()));
        ObjectSource objects = (bucket, key) -> files.get(key.substring(key.lastIndexOf('+') + 1, key.length() - 5)).get();
        ManualClock clock = new ManualClock();
        ScheduledMixpanel mixpanel = new ScheduledMixpanel(FaultSchedule.healthy(ScheduledMixpanel.Fault.class,
                ScheduledMixpanel.Fault.NONE), 0, clock::advance);
        FaultyRejectSink rejects = new FaultyRejectSink(FaultSchedule.healthy(FaultyRejectSink.Fault.class,
                FaultyRejectSink.Fault.NONE));
        ExportHandler handler = new ExportHandler(new ExportPorts(mixpanel, rejects, objects), Env.of(Map.of()),
                clock.sleeper(), new SplittableRandom(1));
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (String name : List.of("oom-at-open", "soe-in-block", "good")) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(name);
            m.setBody(CurrentsFixtures.s3Notification("currents-bucket",
                    CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, name)));
            m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:export");
            messages.add(m);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);
        SQSBatchResponse response = handler.handleRequest(event, clock.contextWith(Duration.ofMinutes(5)));
        assertEquals(List.of(), response.getBatchItemFailures());
        assertEquals(4, mixpanel.imported().size(), "the good file is exported");
        Map<String, String> reasons = new java.util.TreeMap<>();
        for (RejectedEvent r : rejects.stored()) {
            reasons.put(r.messageId(), r.reasonCode() + " | " + r.detail());
        }
        assertEquals(Map.of(
                "oom-at-open", "malformed:avro_limit | unreadable Avro header (OutOfMemoryError)",
                "soe-in-block", "decode:unreadable_avro_block__stackoverflowerror__at_record_N:_rest_of_ | "
                        + "unreadable Avro block (StackOverflowError) at record 0: rest of file unreadable, "
                        + "an unknown number of records lost"), reasons);
    }

    private static Path corpusFile(String name) {
        return Corpus.files("fuzz/avro-hostile").stream().filter(p -> p.getFileName().toString().equals(name))
                .findFirst().orElseThrow();
    }

    /** {@code in}, throwing {@code error} once {@code after} bytes were read. */
    private static InputStream throwing(InputStream in, int after, Error error) {
        return new java.io.FilterInputStream(in) {
            private int read;

            @Override
            public int read() throws java.io.IOException {
                check(1);
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                check(len);
                int n = super.read(b, off, Math.min(len, Math.max(1, after - read)));
                read += Math.max(n, 0);
                return n;
            }

            private void check(int len) {
                if (read >= after) {
                    throw error;
                }
            }
        };
    }
}
