package dev.currentsbridge.bench.jmh;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Storage-form Currents JSON (one SQS message body each) to the exact Mixpanel {@code /import} bytes, through the
 * production decoder and mapper, against the bound: Jackson streaming parse plus write of the same bytes (every
 * token copied, no tree, no mapping). Scores are events per second (one operation = one event).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class MappingBenchmark {

    /** Events per invocation: enough to mix all types, small enough to stay in cache like a real batch. */
    public static final int EVENTS = 2_000;

    private byte[][] events;
    private EventMapper mapper;
    private CurrentsJsonDecoder decoder;

    @Setup(Level.Trial)
    public void setUp() {
        events = new CurrentsTraffic(42).storageBytes(EVENTS);
        mapper = new EventMapper(MappingConfig.defaults());
        decoder = new CurrentsJsonDecoder();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void decodeAndMap(Blackhole bh) throws IOException {
        MappingSink sink = new MappingSink(mapper, bh);
        for (byte[] body : events) {
            JsonNode node = Json.MAPPER.readTree(body);
            decoder.decodeStorage(node, null, sink);
        }
        bh.consume(sink.mapped);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void boundStreamingCopy(Blackhole bh) throws IOException {
        for (byte[] body : events) {
            bh.consume(streamingCopy(body));
        }
    }

    /** The bound's unit of work: every token of the input parsed and written again. */
    public static byte[] streamingCopy(byte[] body) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(body.length + 64);
        try (JsonParser p = Json.FACTORY.createParser(body);
             JsonGenerator g = Json.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            while (p.nextToken() != null) {
                g.copyCurrentEvent(p);
            }
        }
        return out.toByteArray();
    }

    /** Maps every decoded event, as the export's sink does, and hands the bytes to the blackhole. */
    static final class MappingSink implements EventSink {
        private final EventMapper mapper;
        private final Blackhole bh;
        int mapped;

        MappingSink(EventMapper mapper, Blackhole bh) {
            this.mapper = mapper;
            this.bh = bh;
        }

        @Override
        public void accept(CurrentsEvent event) {
            MappingResult r = mapper.map(event);
            if (r instanceof MappingResult.Mapped m) {
                mapped++;
                bh.consume(m.json());
            } else {
                bh.consume(r);
            }
        }

        @Override
        public void reject(DecodeFailure failure) {
            bh.consume(failure);
        }
    }
}
