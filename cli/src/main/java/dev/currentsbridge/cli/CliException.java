package dev.currentsbridge.cli;

/**
 * A failure the user can act on (missing file, unreadable Avro, unreachable endpoint, bad configuration).
 * Main prints its message as one line and exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(String message) {
        this(message, 1, null);
    }

    public CliException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    protected CliException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
