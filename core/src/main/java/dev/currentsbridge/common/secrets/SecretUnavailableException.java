package dev.currentsbridge.common.secrets;

/** The secret could not be read now (service error, throttling, missing secret). The message never holds a value. */
public class SecretUnavailableException extends RuntimeException {
    private final boolean retryable;

    public SecretUnavailableException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
