package dev.currentsbridge.export.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Remembers whether reading the underlying stream ever failed. The Avro reader turns any failure into "rest
 * of file unreadable"; when the cause was the network (S3 connection reset mid-file), that is not a property
 * of the file, so the message must come back rather than its remaining events go to the rejects queue.
 */
final class ReadFailureTracker extends FilterInputStream {

    private volatile boolean failed;

    ReadFailureTracker(InputStream in) {
        super(in);
    }

    boolean failed() {
        return failed;
    }

    /**
     * Gives up on the stream from another thread (the deadline watchdog): marks it failed, then closes it,
     * which makes a read blocked on a stalled connection return.
     */
    void abandon() {
        failed = true;
        abandonQuietly();
    }

    /** Closes without caring how: reading is over either way. */
    void abandonQuietly() {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // already broken: nothing more to release
        }
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }
}
