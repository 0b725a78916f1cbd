package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.decode.DecodeFailure;
import dev.currentsbridge.export.domain.decode.EventSink;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.export.domain.delivery.ImportVerdict;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.domain.input.MessageClassifier;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * SnapStart priming of the pipeline's plain-Java part: loads and runs the classifying, decoding (JSON and Avro),
 * mapping and verdict code on made-up events. Sends nothing and touches no port; the export handler's priming
 * calls it beside the adapters' own.
 */
public final class PipelinePriming {

    private PipelinePriming() {
    }

    public static void prime(EventMapper mapper) {
        mapper.warmUp();
        CurrentsJsonDecoder jsonDecoder = new CurrentsJsonDecoder();
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
            new AvroEventReader().read(new ByteArrayInputStream(WarmUpAvro.file()), null, discard);
        } catch (MalformedInputException e) {
            throw new IllegalStateException("warm-up Avro file is malformed", e);
        }
    }
}
