package dev.currentsbridge.export.domain.decode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.avro.NameValidator;
import org.apache.avro.ParseContext;
import org.apache.avro.Schema;
import org.xerial.snappy.Snappy;

/**
 * The framing of an Avro object container file (header, then blocks of {@code count, size, bytes, sync}), read
 * with limits, so that a hostile file costs a reject instead of the invocation. Avro's own {@code DataFileStream}
 * allocates whatever a header announces: a 240-byte file announcing a 2 GB block killed the function with an
 * OutOfMemoryError, and a recursive schema with deeply nested data with a StackOverflowError.
 *
 * <p>The limits are far above what Currents writes (Avro's default block is about 64 KB; Currents schemas are
 * a few KB and a few levels deep) and far below the function's memory (512 MB to 1 GB): a block is at most
 * {@link #MAX_BLOCK_BYTES} compressed and again decompressed, the header {@link #MAX_HEADER_BYTES}, the schema
 * {@link #MAX_SCHEMA_DEPTH} levels deep and never recursive.
 */
final class AvroContainer {

    static final int MAX_HEADER_BYTES = 1 << 20;
    static final int MAX_BLOCK_BYTES = 16 << 20;
    static final int MAX_SCHEMA_DEPTH = 64;

    private static final byte[] MAGIC = {'O', 'b', 'j', 1};
    private static final int SYNC_SIZE = 16;

    private final InputStream in;
    private final Map<String, byte[]> meta = new HashMap<>();
    private final byte[] sync = new byte[SYNC_SIZE];
    private final String codec;
    private final Schema schema;
    private long headerBytes;

    /** A block: its record count and its decompressed bytes. */
    record Block(long count, byte[] bytes) {
    }

    /** A block that breaks a limit or is damaged (not a network failure: those are plain IOExceptions). */
    static final class BadBlockException extends IOException {
        BadBlockException(String what) {
            super(what);
        }
    }

    /**
     * Reads the header.
     *
     * @throws AvroLimitException     a limit is broken (the file is hostile, or at least not from Currents)
     * @throws MalformedInputException not an Avro container file, or a codec this jar cannot read
     * @throws IOException             the stream failed
     */
    AvroContainer(InputStream raw, Set<String> readableCodecs) throws IOException, MalformedInputException {
        this.in = new BufferedInputStream(raw, 65536);
        byte[] magic = new byte[MAGIC.length];
        if (!readFully(magic) || !Arrays.equals(magic, MAGIC)) {
            throw new MalformedInputException("not an Avro object container file");
        }
        try {
            readHeader();
        } catch (EOFException | BadBlockException e) {
            throw new MalformedInputException("not an Avro object container file (header cut short or corrupt)", e);
        }
        byte[] codecBytes = meta.get("avro.codec");
        String name = codecBytes == null ? "null" : new String(codecBytes, StandardCharsets.UTF_8);
        if (!readableCodecs.contains(name)) {
            throw new MalformedInputException("unsupported Avro codec '"
                    + (name.length() > 20 ? name.substring(0, 20) + "..." : name) + "'");
        }
        this.codec = name;
        byte[] schemaBytes = meta.get("avro.schema");
        if (schemaBytes == null) {
            throw new MalformedInputException("not an Avro object container file (no schema)");
        }
        this.schema = parse(new String(schemaBytes, StandardCharsets.UTF_8));
        SchemaShape.check(schema, MAX_SCHEMA_DEPTH);
    }

    Schema schema() {
        return schema;
    }

    private void readHeader() throws IOException, MalformedInputException {
        long count;
        while ((count = headerLong()) != 0) {
            if (count < 0) {
                count = -count;
                headerLong(); // the block's byte size, not needed
            }
            for (long i = 0; i < count; i++) {
                String key = new String(headerBytes(), StandardCharsets.UTF_8);
                meta.put(key, headerBytes());
            }
        }
        if (!readFully(sync)) {
            throw new EOFException();
        }
    }

    /** A varint of the header, counted as one byte at least (so millions of empty entries also reach the limit). */
    private long headerLong() throws IOException, AvroLimitException {
        long value = readLong();
        checkHeaderSize(1);
        return value;
    }

    private byte[] headerBytes() throws IOException, AvroLimitException {
        long length = headerLong();
        if (length < 0) {
            throw new AvroLimitException("Avro header holds a negative length");
        }
        checkHeaderSize(length);
        byte[] bytes = new byte[(int) length];
        if (!readFully(bytes)) {
            throw new EOFException();
        }
        return bytes;
    }

    private void checkHeaderSize(long more) throws AvroLimitException {
        if (headerBytes + more > MAX_HEADER_BYTES) {
            throw new AvroLimitException("Avro header larger than the " + (MAX_HEADER_BYTES >> 20) + " MiB limit");
        }
        headerBytes += more;
    }

    private static Schema parse(String json) throws MalformedInputException {
        try {
            // as DataFileStream does: names are not validated (files in the wild carry odd ones)
            return new Schema.Parser(new ParseContext(NameValidator.NO_VALIDATION)).setValidateDefaults(false)
                    .parse(json);
        } catch (RuntimeException e) {
            throw new MalformedInputException("the Avro file's schema is not valid", e);
        }
    }

    /**
     * The next block, or null at the end of the file.
     *
     * @throws BadBlockException a block over a limit, with a negative count or size, or damaged
     * @throws EOFException      the file ends inside a block
     * @throws IOException       the stream failed
     */
    Block next() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        long count = readLong(first);
        long size = readLong();
        if (count < 0 || size < 0) {
            throw new BadBlockException("corrupt Avro block header (negative count or size)");
        }
        if (size > MAX_BLOCK_BYTES) {
            throw new BadBlockException("Avro block over the size limit (" + size + " bytes, limit "
                    + (MAX_BLOCK_BYTES >> 20) + " MiB)");
        }
        byte[] data = new byte[(int) size];
        byte[] marker = new byte[SYNC_SIZE];
        if (!readFully(data) || !readFully(marker)) {
            throw new EOFException();
        }
        if (!Arrays.equals(marker, sync)) {
            throw new BadBlockException("corrupt Avro block (sync marker mismatch)");
        }
        byte[] plain = decompress(data);
        if (count > plain.length) {
            // every Currents record takes at least one byte (its id's length): this count cannot be true
            throw new BadBlockException("corrupt Avro block (" + count + " records announced in " + plain.length
                    + " bytes)");
        }
        return new Block(count, plain);
    }

    private byte[] decompress(byte[] data) throws IOException {
        return switch (codec) {
            case "deflate" -> inflate(data);
            case "snappy" -> unsnappy(data);
            default -> data;
        };
    }

    /** Raw deflate (as Avro writes it), refusing to grow past the block limit: a deflate bomb stops there. */
    private static byte[] inflate(byte[] data) throws BadBlockException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(MAX_BLOCK_BYTES, Math.max(64, data.length * 4)));
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw new BadBlockException("corrupt Avro block (deflate data needs a dictionary)");
                    }
                    if (inflater.needsInput()) {
                        break; // as Avro's DeflateCodec: the data ends without a final block
                    }
                }
                if (out.size() + n > MAX_BLOCK_BYTES) {
                    throw new BadBlockException("Avro block inflates over the size limit ("
                            + (MAX_BLOCK_BYTES >> 20) + " MiB)");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new BadBlockException("corrupt Avro block (deflate data does not inflate)");
        } finally {
            inflater.end();
        }
    }

    /** Avro's snappy framing (compressed bytes, then the CRC32 of the plain ones), length checked first. */
    private static byte[] unsnappy(byte[] data) throws IOException {
        if (data.length < 4) {
            throw new BadBlockException("corrupt Avro block (snappy data too short)");
        }
        int length;
        try {
            length = Snappy.uncompressedLength(data, 0, data.length - 4);
        } catch (IOException e) {
            throw new BadBlockException("corrupt Avro block (snappy data unreadable)");
        }
        if (length < 0 || length > MAX_BLOCK_BYTES) {
            throw new BadBlockException("Avro block inflates over the size limit (" + (MAX_BLOCK_BYTES >> 20) + " MiB)");
        }
        try {
            byte[] plain = new byte[length];
            Snappy.uncompress(data, 0, data.length - 4, plain, 0);
            CRC32 crc = new CRC32();
            crc.update(plain);
            if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - 4, 4).getInt()) {
                throw new BadBlockException("corrupt Avro block (snappy checksum mismatch)");
            }
            return plain;
        } catch (BadBlockException e) {
            throw e;
        } catch (IOException e) {
            throw new BadBlockException("corrupt Avro block (snappy data unreadable)");
        }
    }

    /** A zig-zag varint long. */
    private long readLong() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return readLong(b);
    }

    private long readLong(int first) throws IOException {
        long raw = first & 0x7f;
        int b = first;
        int shift = 7;
        while ((b & 0x80) != 0) {
            if (shift > 63) {
                throw new BadBlockException("corrupt Avro varint");
            }
            b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            raw |= (long) (b & 0x7f) << shift;
            shift += 7;
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Fills {@code buffer}; false if the stream ends first. */
    private boolean readFully(byte[] buffer) throws IOException {
        int off = 0;
        while (off < buffer.length) {
            int n = in.read(buffer, off, buffer.length - off);
            if (n < 0) {
                return false;
            }
            off += n;
        }
        return true;
    }
}
