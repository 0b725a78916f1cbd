package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.common.retry.RetryPolicy;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.domain.input.MessageClassifier;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One export invocation, as plain Java: classify each queue message, decode its events (streaming S3 files),
 * map them, deliver them to Mixpanel in concurrent batches, send rejects to the rejects queue, and account for
 * every event in an {@link EventLedger}. The handler only converts SQS types and writes logs and metrics.
 *
 * <p>Standard queues: events of many messages share batches; a message is returned iff some of its events
 * must be retried. FIFO queues: messages are finished one at a time in order; at the first message that
 * must be retried the rest are left unread and returned with it, so order is kept.
 */
public final class ExportProcessor {

    private static final Log LOG = Log.get(ExportProcessor.class);
    private static final int REJECTS_PER_FLUSH = 10;
    private static final String S3_UNAVAILABLE = "s3_unavailable";

    private final EventMapper mapper;
    private final CurrentsJsonDecoder jsonDecoder = new CurrentsJsonDecoder();
    private final AvroEventReader avroReader = new AvroEventReader();
    private final MixpanelImport mixpanel;
    private final RejectSink rejectSink;
    private final ObjectSource objects;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    private final DeliverySettings settings;
    private final BatchLimits limits;

    public ExportProcessor(EventMapper mapper, MixpanelImport mixpanel, RejectSink rejectSink, ObjectSource objects,
                           RetryPolicy retryPolicy, Sleeper sleeper, DeliverySettings settings, BatchLimits limits) {
        this.mapper = mapper;
        this.mixpanel = mixpanel;
        this.rejectSink = rejectSink;
        this.objects = objects;
        this.retryPolicy = retryPolicy;
        this.sleeper = sleeper;
        this.settings = settings;
        this.limits = limits;
    }

    /**
     * One message of the export queue.
     *
     * @param eventTypeAttribute the SQS message attribute {@code event_type}, or null
     */
    public record QueueMessage(String id, String body, String eventTypeAttribute) {
    }

    /** What the invocation did; {@code returnedMessageIds} go into {@code batchItemFailures}. */
    public record Result(EventLedger ledger, List<String> returnedMessageIds, DeliveryStats stats) {

        /** Writes the EMF counts: received, exported, skipped/rejected by reason, returned, retries, latency. */
        public void writeMetrics(Metrics m) {
            EventLedger.Totals t = ledger.totals();
            m.count("EventsReceived", t.events());
            m.count("EventsExported", t.get(Outcome.IMPORTED));
            m.count("EventsSkipped", t.get(Outcome.SKIPPED));
            m.count("EventsRejected", t.get(Outcome.REJECTED_BY_MIXPANEL) + t.get(Outcome.REJECTED_MALFORMED));
            m.count("EventsReturned", t.get(Outcome.RETRY));
            t.reasons(Outcome.SKIPPED).forEach((r, n) -> m.count("Skipped." + r, n));
            t.reasons(Outcome.REJECTED_BY_MIXPANEL).forEach((r, n) -> m.count("Rejected." + r, n));
            t.reasons(Outcome.REJECTED_MALFORMED).forEach((r, n) -> m.count("Rejected." + r, n));
            m.count("MessagesReceived", t.messages());
            m.count("MessagesReturned", returnedMessageIds.size());
            m.count("MixpanelRequests", stats.requests());
            m.count("MixpanelRetries", stats.retries());
            m.count("MixpanelSplits", stats.splits());
            if (stats.requests() > 0) {
                m.millis("MixpanelLatencyMax", stats.maxLatencyMillis());
                m.millis("MixpanelLatencyAvg", stats.averageLatencyMillis());
            }
        }
    }

    public Result process(List<QueueMessage> messages, Deadline deadline, boolean fifo) {
        EventLedger ledger = new EventLedger();
        RejectBuffer rejects = new RejectBuffer(rejectSink, ledger, REJECTS_PER_FLUSH);
        List<String> returned = new ArrayList<>();
        try (MixpanelDelivery delivery = new MixpanelDelivery(mixpanel, retryPolicy, sleeper, deadline, settings,
                ledger, rejects)) {
            Batcher batcher = new Batcher(limits, delivery::submit);
            boolean stopped = false;
            for (QueueMessage m : messages) {
                ledger.open(m.id());
                if (stopped) {
                    ledger.deferred(m.id(), "fifo_after_failure");
                    continue;
                }
                if (!deadline.allows(settings.minRequestTime(), settings.reserve())) {
                    ledger.deferred(m.id(), "deadline");
                    continue;
                }
                read(m, new MessageSink(m.id(), "sqs", batcher, rejects, ledger), rejects, ledger, batcher, deadline);
                if (fifo) {
                    batcher.flush();
                    delivery.awaitIdle();
                    rejects.flush();
                    if (ledger.needsRedelivery(m.id())) {
                        stopped = true;
                    }
                }
            }
            batcher.flush();
            delivery.awaitIdle();
            rejects.flush();
            for (QueueMessage m : messages) {
                if (ledger.needsRedelivery(m.id())) {
                    returned.add(m.id());
                }
            }
            return new Result(ledger, returned, delivery.stats());
        }
    }

    private void read(QueueMessage m, MessageSink sink, RejectBuffer rejects, EventLedger ledger, Batcher batcher,
                      Deadline deadline) {
        InputMessage input = MessageClassifier.classify(m.body(), m.eventTypeAttribute());
        switch (input) {
            case InputMessage.Malformed bad -> rejects.add(RejectedEvent.malformed(m.id(), "malformed:" + bad.reasonCode(),
                    bad.detail(), null, "sqs", m.body()));
            case InputMessage.Ignored ignored -> LOG.info("message ignored", "reason", ignored.reason());
            case InputMessage.StorageEvent storage -> {
                if (storage.eventTypeHint() == null && !storage.event().path("event_type").isTextual()) {
                    rejects.add(RejectedEvent.malformed(m.id(), "decode:missing_event_type",
                            "no event_type field and no event_type message attribute", null, "sqs", m.body()));
                } else {
                    jsonDecoder.decodeStorage(storage.event(), storage.eventTypeHint(), sink);
                }
            }
            case InputMessage.HttpBatch batch -> {
                try {
                    jsonDecoder.decodeHttpBatch(batch.batch(), sink);
                } catch (MalformedInputException e) {
                    rejects.add(RejectedEvent.malformed(m.id(), "malformed:http_batch", e.getMessage(), null, "sqs",
                            m.body()));
                }
            }
            case InputMessage.S3Objects files -> {
                for (InputMessage.S3ObjectRef ref : files.objects()) {
                    readObject(m.id(), ref, new MessageSink(m.id(), ref.uri(), batcher, rejects, ledger), rejects, ledger,
                            deadline);
                }
            }
        }
    }

    private void readObject(String messageId, InputMessage.S3ObjectRef ref, MessageSink sink, RejectBuffer rejects,
                            EventLedger ledger, Deadline deadline) {
        String typeFromKey = AvroEventReader.eventTypeFromS3Key(ref.key());
        ReadFailureTracker in;
        try {
            in = new ReadFailureTracker(objects.open(ref.bucket(), ref.key()));
        } catch (ObjectSource.ObjectNotFoundException e) {
            rejects.add(RejectedEvent.malformed(messageId, "malformed:s3_object_not_found", "the S3 object does not exist",
                    typeFromKey, ref.uri(), objectJson(ref)));
            return;
        } catch (IOException e) {
            // S3 unavailable or access denied: the message comes back (redelivery is safe: $insert_id is stable).
            LOG.warn("cannot read S3 object", "error", e.getMessage());
            ledger.record(messageId, Outcome.RETRY, S3_UNAVAILABLE);
            return;
        }
        Thread watchdog = Thread.ofVirtual().start(() -> abandonAtDeadline(in, deadline));
        try {
            sink.interruptedBy(in);
            avroReader.read(in, typeFromKey, sink);
        } catch (MalformedInputException e) {
            if (in.failed()) {
                ledger.record(messageId, Outcome.RETRY, S3_UNAVAILABLE);
            } else {
                rejects.add(RejectedEvent.malformed(messageId, "malformed:not_avro", e.getMessage(), typeFromKey,
                        ref.uri(), objectJson(ref)));
            }
        } finally {
            watchdog.interrupt();
            in.abandonQuietly();
        }
    }

    /**
     * A stalled or slow download must not hold the invocation past its deadline: when only the reserve is
     * left, the stream is abandoned, what was read is delivered, and the message comes back.
     */
    private void abandonAtDeadline(ReadFailureTracker in, Deadline deadline) {
        try {
            while (true) {
                long left = deadline.remainingMillis() - settings.reserve().toMillis();
                if (left <= 0) {
                    LOG.warn("deadline reached while reading an S3 object: the message will be redelivered");
                    in.abandon();
                    return;
                }
                Thread.sleep(Math.min(left, 500));
            }
        } catch (InterruptedException done) {
            // the read finished first
        }
    }

    private static String objectJson(InputMessage.S3ObjectRef ref) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("bucket", ref.bucket()).put("key", ref.key());
        return o.toString();
    }

    /** Maps each decoded event of one message (or one file of it) and routes it. */
    private final class MessageSink implements EventSink {
        private final String messageId;
        private final String origin;
        private final Batcher batcher;
        private final RejectBuffer rejects;
        private final EventLedger ledger;
        private ReadFailureTracker stream;

        MessageSink(String messageId, String origin, Batcher batcher, RejectBuffer rejects, EventLedger ledger) {
            this.messageId = messageId;
            this.origin = origin;
            this.batcher = batcher;
            this.rejects = rejects;
            this.ledger = ledger;
        }

        @Override
        public void accept(CurrentsEvent event) {
            switch (mapper.map(event)) {
                case MappingResult.Mapped mapped -> {
                    OutgoingEvent out = new OutgoingEvent(messageId, origin, event, mapped.insertId(), mapped.json());
                    if (batcher.fits(out)) {
                        batcher.add(out);
                    } else {
                        rejects.add(RejectedEvent.malformed(messageId, "invalid:event_too_large",
                                "the Mixpanel event is larger than Mixpanel's 1 MB limit", event.type(), origin,
                                OriginalEvent.json(event)));
                    }
                }
                case MappingResult.Skipped skipped -> ledger.record(messageId, Outcome.SKIPPED, skipped.reason().label);
                case MappingResult.Invalid invalid -> rejects.add(RejectedEvent.malformed(messageId,
                        ReasonCodes.of("invalid", invalid.reason()), invalid.reason(), event.type(), origin,
                        OriginalEvent.json(event)));
            }
        }

        /** Failures after {@code in} broke are the network's fault, not the file's. */
        void interruptedBy(ReadFailureTracker in) {
            this.stream = in;
        }

        @Override
        public void reject(DecodeFailure failure) {
            if (stream != null && stream.failed()) {
                LOG.warn("S3 object read interrupted: the message will be redelivered");
                ledger.record(messageId, Outcome.RETRY, S3_UNAVAILABLE);
                return;
            }
            rejects.add(RejectedEvent.malformed(messageId, ReasonCodes.of("decode", failure.reason()), failure.reason(),
                    null, origin, failure.raw()));
        }
    }

    /** Loads and runs the mapping and decoding code on made-up events (SnapStart priming); sends nothing. */
    public void warmUp() {
        mapper.warmUp();
        EventSink discard = new EventSink() {
            @Override
            public void accept(CurrentsEvent event) {
                mapper.map(event);
            }

            @Override
            public void reject(DecodeFailure failure) {
            }
        };
        String batch = "{\"events\":[{\"event_type\":\"users.behaviors.CustomEvent\",\"id\":\"warm-1\",\"time\":1700000000,"
                + "\"user\":{\"external_user_id\":\"warm\"},\"properties\":{\"name\":\"warm\",\"custom_properties\":{\"k\":1}}}]}";
        String storage = "{\"event_type\":\"users.messages.email.Open\",\"id\":\"warm-2\",\"time\":1700000000,"
                + "\"external_user_id\":\"warm\",\"email_address\":\"warm@example.invalid\"}";
        for (String body : List.of(batch, storage)) {
            InputMessage in = MessageClassifier.classify(body, null);
            try {
                if (in instanceof InputMessage.HttpBatch b) {
                    jsonDecoder.decodeHttpBatch(b.batch(), discard);
                } else if (in instanceof InputMessage.StorageEvent s) {
                    jsonDecoder.decodeStorage(s.event(), s.eventTypeHint(), discard);
                }
            } catch (MalformedInputException e) {
                throw new IllegalStateException("warm-up input is malformed", e);
            }
        }
        MessageClassifier.classify("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
                + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"event_type%3Dx/f.avro\"}}}]}", null);
        ImportVerdict.of(400, "{\"failed_records\":[{\"index\":0,\"insert_id\":\"x\",\"field\":\"f\",\"message\":\"m\"}]}");
        try {
            avroReader.read(new java.io.ByteArrayInputStream(WarmUpAvro.file()), null, discard);
        } catch (MalformedInputException e) {
            throw new IllegalStateException("warm-up Avro file is malformed", e);
        }
    }
}
