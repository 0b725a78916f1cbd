package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.aws.S3ObjectReader;
import dev.currentsbridge.common.aws.S3ObjectReader.S3ReadException;
import dev.currentsbridge.export.port.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Currents files from S3, streamed: GetObject's body is read as it arrives, never buffered whole. */
public final class S3ObjectSource implements ObjectSource {

    private final S3ObjectReader s3;

    public S3ObjectSource(S3ObjectReader s3) {
        this.s3 = s3;
    }

    /** SnapStart priming: the signed GET's URI building and signer, no request sent. */
    public void prime() {
        s3.prime();
    }

    @Override
    public InputStream open(String bucket, String key) throws IOException {
        try {
            return s3.open(bucket, key);
        } catch (S3ReadException e) {
            if (e.notFound()) {
                throw new ObjectNotFoundException("no such object");
            }
            throw new IOException("S3 GetObject failed: " + e.status() + (e.code() == null ? "" : " " + e.code()), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            // credentials that cannot be resolved, a malformed bucket name: retryable from SQS's point of view
            throw new IOException("S3 GetObject failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
