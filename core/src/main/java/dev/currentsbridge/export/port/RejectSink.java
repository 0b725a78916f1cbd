package dev.currentsbridge.export.port;

import java.util.List;

/** The rejects queue: events that will never be imported, with the reason and the original event. */
public interface RejectSink {

    /**
     * Stores the rejects. Returns those that could not be stored (their messages are then redelivered);
     * an exception means none was stored.
     */
    List<RejectedEvent> send(List<RejectedEvent> rejects);
}
