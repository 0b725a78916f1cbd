package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.retry.RetryPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.ScriptedMixpanel;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;

/** The invocation logic with in-memory ports: no network, no AWS. */
class ExportPipelineTest {

    private final ScriptedMixpanel mixpanel = new ScriptedMixpanel();
    private final List<RejectedEvent> rejected = new CopyOnWriteArrayList<>();
    private ObjectSource objects = (b, k) -> {
        throw new ObjectSource.ObjectNotFoundException("none");
    };

    private ExportPipeline processor() {
        return new ExportPipeline(new EventMapper(MappingConfig.defaults()), mixpanel, r -> {
            rejected.addAll(r);
            return List.of();
        }, (b, k) -> objects.open(b, k), RetryPolicy.mixpanel(new SplittableRandom(1)), d -> { },
                DeliverySettings.defaults(2), BatchLimits.MIXPANEL);
    }

    private static QueueMessage msg(String id, String body) {
        return new QueueMessage(id, body, null);
    }

    @Test
    void aDownloadThatBreaksMidFileReturnsTheMessageAndRejectsNothing() {
        byte[] file = CurrentsFixtures.emailOpenAvro("cut", 5000, 0, CodecFactory.nullCodec());
        objects = (b, k) -> new InputStream() {
            private int pos;

            @Override
            public int read() throws IOException {
                if (pos >= file.length / 2) {
                    throw new IOException("connection reset");
                }
                return file[pos++] & 0xff;
            }
        };
        String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "cut");

        ExportResult r = processor().process(List.of(msg("m1", CurrentsFixtures.s3Notification("b", key))),
                Deadline.none(), false);

        assertEquals(List.of("m1"), r.returnedMessageIds());
        assertEquals(List.of(), rejected);
        assertTrue(r.ledger().count("m1", Outcome.IMPORTED) > 0, "what was read before the break was sent");
        assertEquals(Map.of("s3_unavailable", 1L), r.ledger().totals().reasons(Outcome.RETRY));
    }

    @Test
    void aGenuinelyTruncatedFileRejectsTheUnreadableRestWithAReason() {
        byte[] file = CurrentsFixtures.emailOpenAvro("trunc", 5000, 0, CodecFactory.nullCodec());
        objects = (b, k) -> new ByteArrayInputStream(file, 0, file.length / 2);
        String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "trunc");

        ExportResult r = processor().process(List.of(msg("m1", CurrentsFixtures.s3Notification("b", key))),
                Deadline.none(), false);

        assertEquals(List.of(), r.returnedMessageIds());
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).reasonCode().startsWith("decode:truncated"), rejected.get(0).reasonCode());
    }

    @Test
    void storageEventsWithoutAnyTypeAreRejectedNotSilentlySkipped() {
        ExportResult r = processor().process(List.of(
                msg("m1", CurrentsFixtures.emailOpen("x", "user-x").toString())), Deadline.none(), false);

        assertEquals(1, r.ledger().count("m1", Outcome.REJECTED_MALFORMED));
        assertEquals("decode:missing_event_type", rejected.get(0).reasonCode());
    }

    @Test
    void typesNotSelectedAreSkippedByRule() {
        String body = "{\"event_type\":\"users.RandomBucketNumberUpdate\",\"id\":\"u1\",\"time\":1700000000,"
                + "\"external_user_id\":\"user-u1\"}";
        ExportResult r = processor().process(List.of(msg("m1", body)), Deadline.none(), false);
        assertEquals(Map.of("type_not_selected", 1L), r.ledger().totals().reasons(Outcome.SKIPPED));
        assertEquals(List.of(), mixpanel.batchSizes);
    }

    @Test
    void eventsOfSeveralMessagesShareBatchesAndEachMessageIsAccountedSeparately() {
        ExportResult r = processor().process(List.of(
                msg("a", CurrentsFixtures.httpBatch("a", 30)), msg("b", CurrentsFixtures.httpBatch("b", 20))),
                Deadline.after(Duration.ofMinutes(1)), false);

        assertEquals(List.of(50), mixpanel.batchSizes);
        assertEquals(30, r.ledger().count("a", Outcome.IMPORTED));
        assertEquals(20, r.ledger().count("b", Outcome.IMPORTED));
    }
}
