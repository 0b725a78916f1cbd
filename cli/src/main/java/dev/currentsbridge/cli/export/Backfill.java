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
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.Batcher;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.MixpanelDelivery;
import dev.currentsbridge.export.domain.delivery.OriginalEvent;
import dev.currentsbridge.export.domain.delivery.OutgoingEvent;
import dev.currentsbridge.export.domain.delivery.ReasonCodes;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.domain.delivery.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingResult;
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
 * The backfill pipeline: Currents files (Avro container files, storage-form JSON or NDJSON, HTTP-connector
 * batches, optionally gzipped) decoded and mapped by the same domain code as the export Lambda, then
 * delivered through the same {@link MixpanelDelivery} (batching, concurrency, retries, splits, partial
 * failures). Each file is one "message" of the {@link EventLedger}, so the summary counts every event once.
 */
public final class Backfill implements AutoCloseable {

    /** Opens an input again from its start. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private final EventMapper mapper;
    private final String typeHint;
    private final CurrentsJsonDecoder json = new CurrentsJsonDecoder();
    private final AvroEventReader avro = new AvroEventReader();
    private final EventLedger ledger = new EventLedger();
    private final RejectBuffer rejects;
    private final MixpanelDelivery delivery;
    private final Batcher batcher;
    private final AtomicLong eventsRead = new AtomicLong();
    private final AtomicLong filesRead = new AtomicLong();

    /**
     * @param typeHint Currents type of storage-form JSON events that carry no {@code event_type} and whose
     *                 path has no {@code event_type=} segment (null: such events are rejected)
     */
    public Backfill(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, int concurrency,
                    RetryPolicy retryPolicy, String typeHint) {
        this.mapper = mapper;
        this.typeHint = typeHint;
        this.rejects = new RejectBuffer(rejectSink, ledger, 500);
        this.delivery = new MixpanelDelivery(mixpanel, retryPolicy, Sleeper.REAL, Deadline.none(),
                DeliverySettings.defaults(concurrency), ledger, rejects);
        this.batcher = new Batcher(BatchLimits.MIXPANEL, delivery::submit);
    }

    public long eventsRead() {
        return eventsRead.get();
    }

    public long filesRead() {
        return filesRead.get();
    }

    /** Counts so far (events already delivered, skipped or rejected). */
    public EventLedger.Totals totals() {
        return ledger.totals();
    }

    public long mixpanelRequests() {
        return delivery.stats().requests();
    }

    public long mixpanelRetries() {
        return delivery.stats().retries();
    }

    /**
     * Reads one input. Not thread-safe: call from one thread.
     *
     * @param origin a name for the input (path or s3:// URI): the ledger key and the rejects' origin
     * @param path   the path or key, for the {@code event_type=} segment
     * @throws MalformedInputException the whole input is unreadable (not Avro, not JSON)
     */
    public void read(String origin, String path, Opener opener) throws IOException, MalformedInputException {
        ledger.open(origin);
        String pathType = AvroEventReader.eventTypeFromS3Key(path);
        FileSink sink = new FileSink(origin);
        try (InputStream in = unwrap(opener.open())) {
            if (startsWith(in, AVRO_MAGIC)) {
                avro.read(in, pathType, sink);
            } else {
                readJson(origin, opener, in, pathType != null ? pathType : typeHint, sink);
            }
        }
        filesRead.incrementAndGet();
    }

    /** Sends what is still batched, waits for every request, and returns the final counts. */
    public EventLedger.Totals finish() {
        batcher.flush();
        delivery.awaitIdle();
        rejects.flush();
        return ledger.totals();
    }

    @Override
    public void close() {
        delivery.close();
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
    private void readJson(String origin, Opener opener, InputStream in, String type, FileSink sink)
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

    /**
     * Maps each decoded event and routes it: Mixpanel batch, skip, or reject, with the export Lambda's reason
     * codes (the same routing as the Lambda's ExportProcessor).
     */
    private final class FileSink implements EventSink {
        private final String origin;

        FileSink(String origin) {
            this.origin = origin;
        }

        @Override
        public void accept(CurrentsEvent event) {
            eventsRead.incrementAndGet();
            switch (mapper.map(event)) {
                case MappingResult.Mapped m -> {
                    OutgoingEvent out = new OutgoingEvent(origin, origin, event, m.insertId(), m.json());
                    if (batcher.fits(out)) {
                        batcher.add(out);
                    } else {
                        rejects.add(RejectedEvent.malformed(origin, "invalid:event_too_large",
                                "the Mixpanel event is larger than Mixpanel's 1 MB limit", event.type(), origin,
                                OriginalEvent.json(event)));
                    }
                }
                case MappingResult.Skipped s -> ledger.record(origin, Outcome.SKIPPED, s.reason().label);
                case MappingResult.Invalid i -> rejects.add(RejectedEvent.malformed(origin, ReasonCodes.of("invalid", i.reason()),
                        i.reason(), event.type(), origin, OriginalEvent.json(event)));
            }
        }

        @Override
        public void reject(DecodeFailure failure) {
            eventsRead.incrementAndGet();
            rejects.add(RejectedEvent.malformed(origin, ReasonCodes.of("decode", failure.reason()), failure.reason(), null, origin, failure.raw()));
        }
    }
}
