package dev.currentsbridge.export.port;

import java.util.List;

/** The export queue the HTTP ingest feeds. */
public interface ExportQueue {

    /**
     * Enqueues Currents HTTP-connector events (each a compact JSON object) as one or more
     * {@code {"events":[...]}} messages, split to fit the queue's message size.
     *
     * @throws QueueUnavailableException the queue did not take every message (the caller answers 5xx)
     */
    void enqueueEvents(List<String> eventJsons);

    /** The largest single event (compact JSON, UTF-8 bytes) one message can carry. */
    int maxEventBytes();


    final class QueueUnavailableException extends RuntimeException {
        public QueueUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
