package dev.currentsbridge.bench.jmh;

import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A Currents Avro container file (written by the setup, Braze-like nullable schema) read into {@link CurrentsEvent}s
 * by the production {@link AvroEventReader}, against the bound: plain Avro {@link GenericDatumReader} decoding of the
 * same file into one reused record. Scores are events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class AvroDecodeBenchmark {

    public static final int RECORDS = 10_000;

    @Param({"users.messages.email.Open", "users.behaviors.CustomEvent"})
    public String type;

    @Param({"deflate"})
    public String codec;

    private byte[] file;

    @Setup(Level.Trial)
    public void setUp() {
        file = new CurrentsTraffic(7).avroFile(type, RECORDS, codec(codec));
    }

    public static CodecFactory codec(String name) {
        return switch (name) {
            case "null" -> CodecFactory.nullCodec();
            case "deflate" -> CodecFactory.deflateCodec(CodecFactory.DEFAULT_DEFLATE_LEVEL);
            case "snappy" -> CodecFactory.snappyCodec();
            default -> throw new IllegalArgumentException("codec " + name);
        };
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long currentsReader(Blackhole bh) throws MalformedInputException {
        return new AvroEventReader().read(new ByteArrayInputStream(file), null, new EventSink() {
            @Override
            public void accept(CurrentsEvent event) {
                bh.consume(event);
            }

            @Override
            public void reject(DecodeFailure failure) {
                throw new IllegalStateException("benchmark file has a bad record: " + failure.reason());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long boundGenericRecords(Blackhole bh) throws IOException {
        long n = 0;
        try (DataFileStream<GenericRecord> stream =
                     new DataFileStream<>(new ByteArrayInputStream(file), new GenericDatumReader<>())) {
            GenericRecord record = null;
            while (stream.hasNext()) {
                record = stream.next(record);
                bh.consume(record);
                n++;
            }
        }
        return n;
    }
}
