package dev.currentsbridge.export.port;

import java.io.IOException;
import java.io.InputStream;

/** Where Currents files are read from (S3), as a stream: files hold up to 100,000 events. */
public interface ObjectSource {

    /**
     * Opens the object for streaming.
     *
     * @throws ObjectNotFoundException the object does not exist (a reject, not a retry)
     * @throws IOException             any other failure (retryable)
     */
    InputStream open(String bucket, String key) throws IOException;


    final class ObjectNotFoundException extends IOException {
        public ObjectNotFoundException(String message) {
            super(message);
        }
    }
}
