package dev.currentsbridge.standins.faults;

import dev.currentsbridge.export.port.ObjectSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** S3 in process: objects by bucket/key, with per-open faults (unavailable, or the download cut mid-stream). */
public final class FaultyObjectSource implements ObjectSource {

    public enum Fault { NONE, UNAVAILABLE, CUT_MID_STREAM }

    private final FaultSchedule<Fault> schedule;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

    public FaultyObjectSource(FaultSchedule<Fault> schedule) {
        this.schedule = schedule;
    }

    public void put(String bucket, String key, byte[] bytes) {
        objects.put(bucket + "/" + key, bytes);
    }

    @Override
    public InputStream open(String bucket, String key) throws IOException {
        byte[] bytes = objects.get(bucket + "/" + key);
        if (bytes == null) {
            throw new ObjectNotFoundException("no such object");
        }
        return switch (schedule.next()) {
            case UNAVAILABLE -> throw new IOException("S3 503 Slow Down (injected)");
            case CUT_MID_STREAM -> cut(bytes, schedule.nextInt(Math.max(1, bytes.length)));
            case NONE -> new ByteArrayInputStream(bytes);
        };
    }

    /** A stream that fails with a connection reset after {@code at} bytes. */
    private static InputStream cut(byte[] bytes, int at) {
        return new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                if (pos >= at) {
                    throw new IOException("Connection reset (injected)");
                }
                return bytes[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (pos >= at) {
                    throw new IOException("Connection reset (injected)");
                }
                int n = Math.min(len, at - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
