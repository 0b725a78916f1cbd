package dev.currentsbridge.export.domain.decode;

import dev.currentsbridge.export.domain.CurrentsEvent;

/** Receives decoded events one at a time, so that large inputs (100k-record Avro files) stream. */
public interface EventSink {

    void accept(CurrentsEvent event);

    void reject(DecodeFailure failure);
}
