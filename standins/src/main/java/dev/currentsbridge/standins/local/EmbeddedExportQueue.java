package dev.currentsbridge.standins.local;

import dev.currentsbridge.export.domain.input.HttpBatchSplitter;
import dev.currentsbridge.export.port.ExportQueue;
import java.util.List;

/** The ingest function's {@link ExportQueue} port over the embedded queue: same message split as SQS (256 KB). */
public final class EmbeddedExportQueue implements ExportQueue {

    /** SQS's message size limit, which the embedded queue keeps so local runs split batches as AWS does. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private final EmbeddedQueue queue;

    public EmbeddedExportQueue(EmbeddedQueue queue) {
        this.queue = queue;
    }

    @Override
    public int maxEventBytes() {
        return HttpBatchSplitter.maxEventBytes(MAX_BODY_BYTES);
    }

    @Override
    public void enqueueEvents(List<String> eventJsons) {
        for (String body : HttpBatchSplitter.split(eventJsons, MAX_BODY_BYTES)) {
            queue.send(body);
        }
    }
}
