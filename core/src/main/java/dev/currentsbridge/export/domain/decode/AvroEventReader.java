package dev.currentsbridge.export.domain.decode;

import dev.currentsbridge.export.domain.CurrentsEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams the records of a Currents Avro object container file into an {@link EventSink}.
 *
 * <p>Each file is read with its own writer schema (Currents adds nullable fields at any time, so no fixed
 * reader schema): unknown fields land in {@link CurrentsEvent#fields()} generically. Memory stays bounded by
 * one Avro block (Currents writes files of up to 100,000 records): {@link AvroContainer} reads block by block
 * from the stream, within limits that keep a hostile file from exhausting heap or stack, and the one
 * {@link GenericRecord} is reused.
 *
 * <p>Values are normalised like the JSON forms ({@link JsonValues}): Utf8 to String, int to long, float via
 * {@link Float#toString} (so 9.99f stays 9.99 instead of 9.989999771118164), null fields left out.
 */
public final class AvroEventReader {

    private static final String SCHEMA_PREFIX = "dataexport.S3.inner.";
    private static final String KEY_SEGMENT = "event_type=";
    /**
     * Codecs this jar can decompress. The header names the codec, so a file could name bzip2, xz or zstandard,
     * whose libraries the Lambda jar leaves out: reading their blocks would throw NoClassDefFoundError.
     */
    private static final Set<String> READABLE_CODECS = Set.of("null", "deflate", "snappy");

    /**
     * Reads every record of the file.
     *
     * @param eventTypeFromKey the type from the S3 key ({@link #eventTypeFromS3Key}), or null to take it from
     *                         the schema name
     * @return how many records were read (each accepted or rejected on its own); records lost after a corrupt
     *         point are reported as one extra reject and not counted. A file cut exactly between blocks is
     *         indistinguishable from a complete one. A block over {@link AvroContainer}'s limits and any error
     *         (even an Error such as OutOfMemoryError) while reading records are such a corrupt point.
     * @throws AvroLimitException      a recursive or too deep schema, a header over its limit, or one whose
     *                                 reading threw an Error
     * @throws MalformedInputException the bytes are not an Avro container file of records
     */
    public long read(InputStream in, String eventTypeFromKey, EventSink sink) throws MalformedInputException {
        AvroContainer container;
        try {
            container = new AvroContainer(in, READABLE_CODECS);
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("not an Avro object container file", e);
        } catch (Error e) { // NOPMD: a header that exhausts heap or stack (or needs a missing codec) costs its file only
            throw new AvroLimitException("unreadable Avro header (" + e.getClass().getSimpleName() + ")");
        }
        // not closed here: the caller owns the InputStream
        Schema schema = container.schema();
        if (schema.getType() != Schema.Type.RECORD) {
            throw new MalformedInputException("Avro file does not hold records (schema type " + schema.getType() + ")");
        }
        String type = eventTypeFromKey != null ? eventTypeFromKey : typeFromSchema(schema);
        return readRecords(container, new GenericDatumReader<>(schema), new RecordLayout(schema), type, sink);
    }

    private static long readRecords(AvroContainer container, GenericDatumReader<GenericRecord> datumReader,
                                    RecordLayout layout, String type, EventSink sink) {
        long index = 0;
        GenericRecord record = null;
        BinaryDecoder decoder = null;
        while (true) {
            AvroContainer.Block block;
            try {
                block = container.next();
            } catch (AvroContainer.BadBlockException e) {
                sink.reject(lost(index, e.getMessage(), 0));
                return index;
            } catch (IOException | RuntimeException e) {
                // the file ends inside a block, or the stream broke (the sink tells the two apart)
                sink.reject(lost(index, "truncated or corrupt Avro block", 0));
                return index;
            } catch (Throwable e) { // NOPMD: a hostile file must cost its own reject, never the invocation
                sink.reject(lost(index, "unreadable Avro block (" + e.getClass().getSimpleName() + ")", 0));
                return index;
            }
            if (block == null) {
                return index;
            }
            decoder = DecoderFactory.get().binaryDecoder(block.bytes(), decoder);
            for (long i = 0; i < block.count(); i++) {
                try {
                    record = datumReader.read(record, decoder);
                } catch (IOException | RuntimeException e) {
                    // the rest of this block is lost, later blocks unknown
                    sink.reject(lost(index, "corrupt Avro record", block.count() - i));
                    return index;
                } catch (Throwable e) { // NOPMD: as above (OutOfMemoryError, StackOverflowError)
                    sink.reject(lost(index, "unreadable Avro record (" + e.getClass().getSimpleName() + ")",
                            block.count() - i));
                    return index;
                }
                decode(record, layout, type, index, sink);
                index++;
            }
            if (!blockFullyRead(decoder)) {
                sink.reject(lost(index, "truncated or corrupt Avro block", 0));
                return index;
            }
        }
    }

    /** A block holding bytes beyond its announced records is damaged (as DataFileStream judges it). */
    private static boolean blockFullyRead(BinaryDecoder decoder) {
        try {
            return decoder.isEnd();
        } catch (IOException e) {
            return false;
        }
    }

    private static DecodeFailure lost(long index, String what, long atLeast) {
        String count = atLeast > 0 ? "at least " + atLeast + " records lost" : "an unknown number of records lost";
        return new DecodeFailure(index, what + " at record " + index + ": rest of file unreadable, " + count, null);
    }

    private static void decode(GenericRecord record, RecordLayout layout, String type, long index, EventSink sink) {
        Object id = layout.idPos < 0 ? null : record.get(layout.idPos);
        Object time = layout.timePos < 0 ? null : record.get(layout.timePos);
        Object external = layout.externalUserIdPos < 0 ? null : record.get(layout.externalUserIdPos);
        String reason = null;
        if (id == null) {
            reason = "missing field: id";
        } else if (!(id instanceof CharSequence) || ((CharSequence) id).isEmpty()) {
            reason = "wrong type: id";
        } else if (time == null) {
            reason = "missing field: time";
        } else if (!(time instanceof Integer || time instanceof Long)) {
            reason = "wrong type: time";
        } else if (external != null && !(external instanceof CharSequence)) {
            reason = "wrong type: external_user_id";
        }
        if (reason != null) {
            sink.reject(new DecodeFailure(index, reason, String.valueOf(record)));
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>(JsonValues.mapCapacity(layout.fields.size()));
        for (Schema.Field field : layout.fields) {
            int pos = field.pos();
            if (pos == layout.idPos || pos == layout.timePos || pos == layout.externalUserIdPos
                    || pos == layout.eventTypePos) {
                continue;
            }
            Object value = toJava(record.get(pos));
            if (value != null) {
                fields.put(field.name(), value);
            }
        }
        sink.accept(new CurrentsEvent(type, id.toString(), ((Number) time).longValue(),
                external == null ? null : external.toString(), fields));
    }

    /** An Avro datum as String, Long, Double, Boolean, List or Map (the {@link CurrentsEvent} value set). */
    static Object toJava(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof CharSequence cs) {
            return cs.toString();
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Long || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Float f) {
            return JsonValues.finiteOrNull(Double.parseDouble(Float.toString(f)));
        }
        if (value instanceof Double d) {
            return JsonValues.finiteOrNull(d);
        }
        if (value instanceof GenericRecord nested) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Schema.Field field : nested.getSchema().getFields()) {
                map.put(field.name(), toJava(nested.get(field.pos())));
            }
            return map;
        }
        if (value instanceof Map<?, ?> avroMap) {
            Map<String, Object> map = new LinkedHashMap<>(JsonValues.mapCapacity(avroMap.size()));
            for (Map.Entry<?, ?> e : avroMap.entrySet()) {
                map.put(String.valueOf(e.getKey()), toJava(e.getValue()));
            }
            return map;
        }
        if (value instanceof Collection<?> collection) {
            List<Object> list = new ArrayList<>(collection.size());
            for (Object element : collection) {
                list.add(toJava(element));
            }
            return list;
        }
        if (value instanceof GenericEnumSymbol<?> symbol) {
            return symbol.toString();
        }
        if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] array = new byte[copy.remaining()];
            copy.get(array);
            return Base64.getEncoder().encodeToString(array);
        }
        if (value instanceof GenericFixed fixed) {
            return Base64.getEncoder().encodeToString(fixed.bytes());
        }
        return value.toString();
    }

    /** The Currents type named by the schema: {@code dataexport.S3.inner.<type>}, or the bare name of old files. */
    static String typeFromSchema(Schema schema) {
        String name = schema.getFullName();
        return name.startsWith(SCHEMA_PREFIX) ? name.substring(SCHEMA_PREFIX.length()) : name;
    }

    /**
     * The {@code event_type=<type>} segment of a Currents S3 key, wherever it sits (the layout changed over
     * time), or null. Segments URL-encoded as in S3 event notifications ({@code event_type%3D...}) are decoded.
     */
    public static String eventTypeFromS3Key(String key) {
        if (key == null) {
            return null;
        }
        for (String segment : key.split("/")) {
            String decoded = segment.indexOf('%') >= 0 ? urlDecode(segment) : segment;
            if (decoded.startsWith(KEY_SEGMENT) && decoded.length() > KEY_SEGMENT.length()) {
                return decoded.substring(KEY_SEGMENT.length());
            }
        }
        return null;
    }

    private static String urlDecode(String segment) {
        try {
            return URLDecoder.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    /** Field positions looked up once per file, not per record. */
    private static final class RecordLayout {
        final List<Schema.Field> fields;
        final int idPos;
        final int timePos;
        final int externalUserIdPos;
        final int eventTypePos;

        RecordLayout(Schema schema) {
            this.fields = schema.getFields();
            this.idPos = position(schema, CurrentsJsonDecoder.FIELD_ID);
            this.timePos = position(schema, CurrentsJsonDecoder.FIELD_TIME);
            this.externalUserIdPos = position(schema, CurrentsJsonDecoder.FIELD_EXTERNAL_USER_ID);
            this.eventTypePos = position(schema, CurrentsJsonDecoder.FIELD_EVENT_TYPE);
        }

        private static int position(Schema schema, String name) {
            Schema.Field field = schema.getField(name);
            return field == null ? -1 : field.pos();
        }
    }
}
