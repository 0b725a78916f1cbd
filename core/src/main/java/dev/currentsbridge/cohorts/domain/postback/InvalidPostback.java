package dev.currentsbridge.cohorts.domain.postback;

/** A postback refused before anything was stored: {@code status} is the HTTP status, the message is safe to show. */
public class InvalidPostback extends RuntimeException {
    private final int status;

    public InvalidPostback(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static InvalidPostback badRequest(String message) {
        return new InvalidPostback(400, message);
    }

    public int status() {
        return status;
    }
}
