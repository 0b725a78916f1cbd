package dev.currentsbridge.cli.export;

import dev.currentsbridge.common.retry.RetryPolicy;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.AvroLimitException;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.deletion.DeletionForwarding;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.pipeline.ExportRun;
import dev.currentsbridge.export.pipeline.ExportSetup;
import dev.currentsbridge.export.port.MixpanelEngage;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.RejectSink;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The backfill: Currents files (Avro container files, storage-form JSON or NDJSON, HTTP-connector batches,
 * optionally gzipped) decoded here, then mapped, routed and delivered by the export pipeline's {@link ExportRun}
 * (the same routing, reason codes, batching, concurrency, retries, splits and partial failures as the export
 * Lambda). Each file is one "message" of the run's ledger, so the summary counts every event once.
 */
public final class Backfill implements AutoCloseable {

    /** Opens an input again from its start. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};
    /** Rejects are stored in large batches: a backfill has no invocation deadline to keep. */
    private static final int REJECTS_PER_FLUSH = 500;

    private final String typeHint;
    private final CurrentsJsonDecoder json = new CurrentsJsonDecoder();
    private final AvroEventReader avro = new AvroEventReader();
    private final ExportRun run;
    private final AtomicLong eventsRead = new AtomicLong();
    private final AtomicLong filesRead = new AtomicLong();

    /**
     * @param typeHint Currents type of storage-form JSON events that carry no {@code event_type} and whose
     *                 path has no {@code event_type=} segment (null: such events are rejected)
     */
    public Backfill(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, int concurrency,
                    RetryPolicy retryPolicy, String typeHint) {
        this(mapper, mixpanel, null, rejectSink, concurrency, retryPolicy, typeHint, null);
    }

    /** @param engage where selected profile updates go ({@code /engage}); null: as {@code /import} events */
    public Backfill(EventMapper mapper, MixpanelImport mixpanel, MixpanelEngage engage, RejectSink rejectSink,
                    int concurrency, RetryPolicy retryPolicy, String typeHint) {
        this(mapper, mixpanel, engage, rejectSink, concurrency, retryPolicy, typeHint, null);
    }

    /**
     * @param engage    where selected profile updates go ({@code /engage}); null: as {@code /import} events
     * @param deletions deletion forwarding ({@code --forward-deletions}), or null: off
     */
    public Backfill(EventMapper mapper, MixpanelImport mixpanel, MixpanelEngage engage, RejectSink rejectSink,
                    int concurrency, RetryPolicy retryPolicy, String typeHint, DeletionForwarding deletions) {
        this.typeHint = typeHint;
        this.run = new ExportSetup(mapper, mixpanel, rejectSink, retryPolicy, Sleeper.REAL,
                DeliverySettings.defaults(concurrency), BatchLimits.MIXPANEL).withEngage(engage).withDeletions(deletions)
                .start(Deadline.none(), REJECTS_PER_FLUSH);
    }

    public long eventsRead() {
        return eventsRead.get();
    }

    public long filesRead() {
        return filesRead.get();
    }

    /** Counts so far (events already delivered, skipped or rejected). */
    public EventLedger.Totals totals() {
        return run.ledger().totals();
    }

    /** Events of one input (by its origin) that ended in {@code outcome}. */
    public long count(String origin, Outcome outcome) {
        return run.ledger().count(origin, outcome);
    }

    /** Events of one input (by its origin), all outcomes. */
    public long events(String origin) {
        return run.ledger().events(origin);
    }

    public long mixpanelRequests() {
        return run.stats().requests();
    }

    public long mixpanelRetries() {
        return run.stats().retries();
    }

    /**
     * Reads one input. Not thread-safe: call from one thread.
     *
     * @param origin a name for the input (path or s3:// URI): the ledger key and the rejects' origin
     * @param path   the path or key, for the {@code event_type=} segment
     * @throws MalformedInputException the whole input is unreadable (not Avro, not JSON)
     */
    public void read(String origin, String path, Opener opener) throws IOException, MalformedInputException {
        run.open(origin);
        String pathType = AvroEventReader.eventTypeFromS3Key(path);
        EventSink sink = new CountingSink(run.router(origin, origin));
        try (InputStream in = unwrap(opener.open())) {
            if (startsWith(in, AVRO_MAGIC)) {
                avro.read(in, pathType, sink);
            } else {
                readJson(origin, opener, in, pathType != null ? pathType : typeHint, sink);
            }
        } catch (AvroLimitException e) {
            // a hostile file (over a limit, or exhausting heap or stack) is a reject like a bad record, not an
            // unreadable input that fails the run; errors while reading its records are rejects already
            sink.reject(new DecodeFailure(-1, e.getMessage(), null));
        }
        filesRead.incrementAndGet();
    }

    /** Sends what is still batched, waits for every request, and returns the final counts. */
    public EventLedger.Totals finish() {
        run.drain();
        return run.ledger().totals();
    }

    @Override
    public void close() {
        run.close();
    }

    private static InputStream unwrap(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 65536);
        if (startsWith(in, new byte[] {(byte) 0x1f, (byte) 0x8b})) {
            return new BufferedInputStream(new GZIPInputStream(in, 65536), 65536);
        }
        return in;
    }

    private static boolean startsWith(InputStream in, byte[] magic) throws IOException {
        in.mark(magic.length);
        try {
            for (byte b : magic) {
                if (in.read() != (b & 0xff)) {
                    return false;
                }
            }
            return true;
        } finally {
            in.reset();
        }
    }

    /**
     * NDJSON (the first line is a whole JSON value) is read line by line so a bad line is one reject; anything
     * else is read as a sequence of JSON documents (one pretty-printed event, a batch, an array).
     */
    private void readJson(String origin, Opener opener, InputStream in, String type, EventSink sink)
            throws IOException, MalformedInputException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 65536);
        String first = nextNonBlank(lines);
        if (first == null) {
            throw new MalformedInputException("empty file");
        }
        JsonNode firstValue = parseLine(first);
        if (firstValue != null && firstValue.isObject()) {
            long index = 0;
            dispatch(firstValue, index++, type, sink);
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode v = parseLine(line);
                if (v == null) {
                    sink.reject(new DecodeFailure(index, "not JSON", null));
                } else {
                    dispatch(v, index, type, sink);
                }
                index++;
            }
            return;
        }
        try (InputStream again = unwrap(opener.open());
             MappingIterator<JsonNode> values = Json.MAPPER.readerFor(JsonNode.class).readValues(again)) {
            long index = 0;
            while (values.hasNextValue()) {
                dispatch(values.nextValue(), index++, type, sink);
            }
        } catch (JacksonException e) {
            throw new MalformedInputException("neither Avro nor JSON/NDJSON ("
                    + (e.getLocation() == null ? "unreadable" : "line " + e.getLocation().getLineNr()) + ")", e);
        }
    }

    private static String nextNonBlank(BufferedReader r) throws IOException {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isBlank()) {
                return line;
            }
        }
        return null;
    }

    private static JsonNode parseLine(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (JacksonException e) {
            return null;
        }
    }

    private void dispatch(JsonNode node, long index, String type, EventSink sink) {
        if (node.isArray()) {
            for (JsonNode element : node) {
                dispatch(element, index, type, sink);
            }
        } else if (CurrentsJsonDecoder.looksLikeHttpBatch(node)) {
            for (JsonNode element : node.get("events")) {
                json.decodeHttpEvent(element, index, sink);
            }
        } else if (node.isObject() && (node.path("user").isObject() || node.path("properties").isObject())) {
            json.decodeHttpEvent(node, index, sink);
        } else {
            json.decodeStorage(node, type, sink);
        }
    }

    /** Counts every decoded event (routed or rejected) for the progress line, then hands it to the run. */
    private final class CountingSink implements EventSink {
        private final EventSink router;

        CountingSink(EventSink router) {
            this.router = router;
        }

        @Override
        public void accept(CurrentsEvent event) {
            eventsRead.incrementAndGet();
            router.accept(event);
        }

        @Override
        public void reject(DecodeFailure failure) {
            eventsRead.incrementAndGet();
            router.reject(failure);
        }
    }
}
