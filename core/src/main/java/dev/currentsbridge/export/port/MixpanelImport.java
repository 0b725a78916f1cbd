package dev.currentsbridge.export.port;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Mixpanel's {@code /import} endpoint: one request per call, no retries (the delivery domain decides those). */
public interface MixpanelImport {

    /**
     * Posts the events (each the JSON bytes of one {@code {"event":..,"properties":..}}) as one request.
     *
     * @throws IOException            connection failure or timeout (retryable)
     * @throws CredentialsException   the credentials secret cannot be read or makes no sense
     */
    Response send(List<byte[]> events, Duration timeout) throws IOException, InterruptedException;

    /** Forget cached credentials so the next {@link #send} reads the secret again (after a 401). */
    void reloadCredentials();


    record Response(int status, String body, Optional<Duration> retryAfter) {
        public Response {
            body = body == null ? "" : body;
            retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
        }
    }

    /** The Mixpanel credentials secret is unreadable ({@code retryable}: the secrets service failed) or invalid. */
    final class CredentialsException extends RuntimeException {
        private final boolean retryable;

        public CredentialsException(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
