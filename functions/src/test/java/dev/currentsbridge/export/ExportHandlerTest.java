package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The handler's own duties with in-memory ports: configuration checks and never losing a message to a bug. */
class ExportHandlerTest {

    private static final MixpanelImport ACCEPT_ALL = new MixpanelImport() {
        @Override
        public Response send(List<byte[]> events, Duration timeout) {
            return new Response(200, "{\"code\":200}", Optional.empty());
        }

        @Override
        public void reloadCredentials() {
        }
    };

    private static ExportPorts ports() {
        return new ExportPorts(ACCEPT_ALL, rejects -> List.of(), (bucket, key) -> {
            throw new IllegalStateException("bug in an adapter");
        });
    }

    private static SQSEvent event(String... bodies) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m" + i);
            m.setBody(bodies[i]);
            records.add(m);
        }
        SQSEvent e = new SQSEvent();
        e.setRecords(records);
        return e;
    }

    @Test
    void anUnexpectedFailureReturnsEveryMessageInsteadOfCrashing() {
        ExportHandler handler = new ExportHandler(ports(), Env.of(Map.of()));

        SQSBatchResponse r = handler.handleRequest(event(CurrentsFixtures.storageJson("a", "user-a"),
                CurrentsFixtures.s3Notification("b", CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "x"))), null);

        assertEquals(List.of("m0", "m1"), r.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
    }

    @Test
    void anEmptyEventIsAnswered() {
        assertEquals(List.of(), new ExportHandler(ports(), Env.of(Map.of())).handleRequest(new SQSEvent(), null)
                .getBatchItemFailures());
    }

    @Test
    void badConfigurationFailsAtInitWithTheVariableNamed() {
        ConfigException types = assertThrows(ConfigException.class,
                () -> new ExportHandler(ports(), Env.of(Map.of("EXPORT_EVENT_TYPES", "no.such.Type"))));
        assertEquals(true, types.getMessage().contains("EXPORT_EVENT_TYPES"));
        assertThrows(ConfigException.class,
                () -> new ExportHandler(ports(), Env.of(Map.of("MIXPANEL_CONCURRENCY", "0"))));
        assertThrows(ConfigException.class,
                () -> new ExportHandler(ports(), Env.of(Map.of("MIXPANEL_CONCURRENCY", "many"))));
    }
}
