package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.domain.input.MessageClassifier;

/**
 * Classifies one queue message and decodes its events into the run: a storage-form event, an HTTP-connector
 * batch, or S3 notifications whose files are streamed by {@link S3FileReader}. A message that can never be
 * read is one reject with the whole body as the original.
 */
final class MessageReader {

    private static final Log LOG = Log.get(MessageReader.class);
    private static final String ORIGIN = "sqs";

    private final CurrentsJsonDecoder jsonDecoder = new CurrentsJsonDecoder();
    private final S3FileReader files;

    MessageReader(S3FileReader files) {
        this.files = files;
    }

    void read(QueueMessage m, ExportRun run, Deadline deadline) {
        EventRouter sink = run.router(m.id(), ORIGIN);
        InputMessage input = MessageClassifier.classify(m.body(), m.eventTypeAttribute());
        switch (input) {
            case InputMessage.Malformed bad -> run.reject(RejectedEvent.malformed(m.id(), "malformed:" + bad.reasonCode(),
                    bad.detail(), null, ORIGIN, m.body()));
            case InputMessage.Ignored ignored -> LOG.info("message ignored", "reason", ignored.reason());
            case InputMessage.StorageEvent storage -> {
                if (storage.eventTypeHint() == null && !storage.event().path("event_type").isTextual()) {
                    run.reject(RejectedEvent.malformed(m.id(), "decode:missing_event_type",
                            "no event_type field and no event_type message attribute", null, ORIGIN, m.body()));
                } else {
                    jsonDecoder.decodeStorage(storage.event(), storage.eventTypeHint(), sink);
                }
            }
            case InputMessage.HttpBatch batch -> {
                try {
                    jsonDecoder.decodeHttpBatch(batch.batch(), sink);
                } catch (MalformedInputException e) {
                    run.reject(RejectedEvent.malformed(m.id(), "malformed:http_batch", e.getMessage(), null, ORIGIN,
                            m.body()));
                }
            }
            case InputMessage.S3Objects objects -> {
                for (InputMessage.S3ObjectRef ref : objects.objects()) {
                    files.read(m.id(), ref, run, deadline);
                }
            }
        }
    }
}
