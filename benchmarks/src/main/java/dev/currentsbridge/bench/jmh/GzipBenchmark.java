package dev.currentsbridge.bench.jmh;

import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.common.json.Json;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

/**
 * The gzip step of a Mixpanel request: one 2000-event batch (the exporter's own output bytes) compressed by
 * {@code MixpanelHttpImport.gzipJsonArray} itself, at the JDK's default level (6) and at level 1 (what the exporter
 * uses since this benchmark measured it). Scores are events per second; the compressed size is printed once per level.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class GzipBenchmark {

    public static final int EVENTS = 2_000;

    @Param({"6", "1"})
    public int level;

    private List<byte[]> batch;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        EventMapper mapper = new EventMapper(MappingConfig.defaults());
        batch = new ArrayList<>();
        EventSink sink = new EventSink() {
            @Override
            public void accept(CurrentsEvent event) {
                if (mapper.map(event) instanceof MappingResult.Mapped m) {
                    batch.add(m.json());
                }
            }

            @Override
            public void reject(DecodeFailure failure) {
            }
        };
        CurrentsJsonDecoder decoder = new CurrentsJsonDecoder();
        for (String e : new CurrentsTraffic(3, 0).httpEvents(EVENTS)) {
            decoder.decodeHttpEvent(Json.MAPPER.readTree(e), 0, sink);
        }
        long raw = batch.stream().mapToLong(b -> b.length + 1).sum();
        System.out.printf("%n[gzip level %d: %,d events, %,d bytes of JSON -> %,d bytes]%n", level, batch.size(), raw,
                gzip(batch, level).length);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public byte[] gzipBatch() {
        return gzip(batch, level);
    }

    static byte[] gzip(List<byte[]> events, int level) {
        return MixpanelHttpImport.gzipJsonArray(events, level == 6 ? Deflater.DEFAULT_COMPRESSION : level);
    }
}
