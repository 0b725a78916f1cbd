package dev.currentsbridge.export.adapter;

import dev.currentsbridge.export.port.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Currents files from S3, streamed: GetObject's body is read as it arrives, never buffered whole. */
public final class S3ObjectSource implements ObjectSource {

    private final S3Client s3;

    public S3ObjectSource(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public void warmUp() {
        software.amazon.awssdk.services.s3.model.GetObjectRequest.builder().bucket("warm").key("warm").build();
    }

    @Override
    public InputStream open(String bucket, String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException("no such object");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ObjectNotFoundException("no such object");
            }
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            throw new IOException("S3 GetObject failed: " + e.statusCode() + " " + code, e);
        } catch (SdkException e) {
            throw new IOException("S3 GetObject failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
