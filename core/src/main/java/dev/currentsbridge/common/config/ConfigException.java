package dev.currentsbridge.common.config;

/** A deployment mistake (missing or malformed setting, wrong credentials): not retryable, log and fix. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
