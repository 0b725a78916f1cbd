package dev.currentsbridge.export.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.AvroLimitException;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.port.ObjectSource;
import java.io.IOException;
import java.time.Duration;

/**
 * Streams one Currents Avro file from S3 into the run. A missing object, a file that is not Avro or breaks the
 * reader's limits (whatever reading it throws, an Error included: see {@link AvroEventReader#read}) are a reject
 * of that file only;
 * S3 being unavailable, a download broken mid-file or one still running at the deadline (see
 * {@link ReadWatchdog}) sends the message back instead.
 */
final class S3FileReader {

    /** The retry reason of a message whose file could not be read (whole). */
    static final String S3_UNAVAILABLE = "s3_unavailable";

    private static final Log LOG = Log.get(S3FileReader.class);

    private final AvroEventReader avroReader = new AvroEventReader();
    private final ObjectSource objects;
    private final Duration reserve;

    /** @param reserve the time left at the deadline for delivering what was read */
    S3FileReader(ObjectSource objects, Duration reserve) {
        this.objects = objects;
        this.reserve = reserve;
    }

    void read(String messageId, InputMessage.S3ObjectRef ref, ExportRun run, Deadline deadline) {
        String typeFromKey = AvroEventReader.eventTypeFromS3Key(ref.key());
        ReadFailureTracker in;
        try {
            in = new ReadFailureTracker(objects.open(ref.bucket(), ref.key()));
        } catch (ObjectSource.ObjectNotFoundException e) {
            run.reject(RejectedEvent.malformed(messageId, "malformed:s3_object_not_found", "the S3 object does not exist",
                    typeFromKey, ref.uri(), objectJson(ref)));
            return;
        } catch (IOException e) {
            // S3 unavailable or access denied: the message comes back (redelivery is safe: $insert_id is stable).
            LOG.warn("cannot read S3 object", "error", e.getMessage());
            run.retry(messageId, S3_UNAVAILABLE);
            return;
        }
        EventRouter sink = run.router(messageId, ref.uri());
        Thread watchdog = ReadWatchdog.start(in, deadline, reserve);
        try {
            sink.interruptedBy(in);
            avroReader.read(in, typeFromKey, sink);
        } catch (MalformedInputException e) {
            if (in.failed()) {
                run.retry(messageId, S3_UNAVAILABLE);
            } else {
                run.reject(RejectedEvent.malformed(messageId,
                        e instanceof AvroLimitException ? "malformed:avro_limit" : "malformed:not_avro", e.getMessage(),
                        typeFromKey, ref.uri(), objectJson(ref)));
            }
        } finally {
            watchdog.interrupt();
            in.abandonQuietly();
        }
    }

    private static String objectJson(InputMessage.S3ObjectRef ref) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("bucket", ref.bucket()).put("key", ref.key());
        return o.toString();
    }
}
