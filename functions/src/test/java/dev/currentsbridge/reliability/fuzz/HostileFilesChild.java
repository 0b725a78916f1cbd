package dev.currentsbridge.reliability.fuzz;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.faults.FaultyObjectSource;
import dev.currentsbridge.standins.faults.FaultyRejectSink;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.mixpanel.ScheduledMixpanel;
import dev.currentsbridge.standins.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.file.CodecFactory;

/**
 * Run in a child JVM by {@link HostileFilesLowHeapTest} (with {@code -Xmx128m}): one SQS batch of one S3
 * notification per file of the hostile corpus plus a good file, through the real {@link ExportHandler}.
 * Writes {@code {"failures":[ids],"rejects":{id:[reason codes]},"imported":n}} to {@code args[1]}.
 */
public final class HostileFilesChild {

    private HostileFilesChild() {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args[0]);
        ManualClock clock = new ManualClock();
        ScheduledMixpanel mixpanel = new ScheduledMixpanel(FaultSchedule.healthy(ScheduledMixpanel.Fault.class,
                ScheduledMixpanel.Fault.NONE), 0, clock::advance);
        FaultyRejectSink rejects = new FaultyRejectSink(FaultSchedule.healthy(FaultyRejectSink.Fault.class,
                FaultyRejectSink.Fault.NONE));
        FaultyObjectSource objects = new FaultyObjectSource(FaultSchedule.healthy(FaultyObjectSource.Fault.class,
                FaultyObjectSource.Fault.NONE));
        List<String> names = new ArrayList<>();
        try (var files = Files.list(corpus)) {
            files.sorted().forEach(f -> names.add(f.getFileName().toString()));
        }
        names.add("good.avro");
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (String name : names) {
            String key = CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, name.replace(".avro", ""));
            byte[] bytes = name.equals("good.avro")
                    ? CurrentsFixtures.emailOpenAvro("good", 5, 0, CodecFactory.deflateCodec(1))
                    : Files.readAllBytes(corpus.resolve(name));
            objects.put("currents-bucket", key, bytes);
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(name);
            m.setBody(CurrentsFixtures.s3Notification("currents-bucket", key));
            m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:export");
            messages.add(m);
        }
        ExportHandler handler = new ExportHandler(new ExportPorts(mixpanel, rejects, objects), Env.of(Map.of()),
                clock.sleeper(), new SplittableRandom(1));
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);
        SQSBatchResponse response = handler.handleRequest(event, clock.contextWith(Duration.ofMinutes(5)));
        ObjectNode out = Json.MAPPER.createObjectNode();
        var failures = out.putArray("failures");
        response.getBatchItemFailures().forEach(f -> failures.add(f.getItemIdentifier()));
        ObjectNode byMessage = out.putObject("rejects");
        for (RejectedEvent r : rejects.stored()) {
            var list = byMessage.has(r.messageId()) ? (com.fasterxml.jackson.databind.node.ArrayNode) byMessage.get(r.messageId())
                    : byMessage.putArray(r.messageId());
            list.add(r.reasonCode() + " | " + r.detail());
        }
        out.put("imported", mixpanel.imported().size());
        Files.writeString(Path.of(args[1]), out.toString());
    }
}
