package dev.currentsbridge.export.domain.decode;

/** A whole input (SQS message, file, batch) is unreadable: not JSON, not Avro, unknown shape. */
public class MalformedInputException extends Exception {
    public MalformedInputException(String message) {
        super(message);
    }

    public MalformedInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
