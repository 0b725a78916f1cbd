package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.MalformedInputException;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs that once crashed a decoder or handler (see regressions/README.md), replayed with their expected outcome. */
class RegressionFixturesTest {

    @Test
    void avroFilesNamingCodecsTheJarCannotReadAreRefusedAsMalformed() {
        List<Path> files = Corpus.files("regressions/avro");
        assertEquals(3, files.size());
        for (Path f : files) {
            CurrentsSamples.CollectingSink sink = new CurrentsSamples.CollectingSink();
            MalformedInputException e = assertThrows(MalformedInputException.class,
                    () -> new AvroEventReader().read(new ByteArrayInputStream(Corpus.bytes(f)), null, sink), f.toString());
            assertTrue(e.getMessage().startsWith("unsupported Avro codec"), e.getMessage());
            assertTrue(sink.accepted.isEmpty() && sink.rejected.isEmpty());
        }
    }

    @Test
    void apiGatewayEventsWithoutPathsAnswer4xx() throws Exception {
        List<Path> files = Corpus.files("regressions/apigw");
        assertFalse(files.isEmpty());
        var store = InMemoryCohortStore.create();
        CohortApiHandler handler = new CohortApiHandler(store, Env.of(Map.of("TABLE_NAME", "unused")), new ManualClock());
        for (Path f : files) {
            APIGatewayV2HTTPEvent e = Json.MAPPER.readValue(Corpus.bytes(f), APIGatewayV2HTTPEvent.class);
            APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
            assertTrue(r.getStatusCode() >= 400 && r.getStatusCode() < 500, f + ": " + r.getStatusCode());
            assertTrue(Json.MAPPER.readTree(r.getBody()).has("message"), r.getBody());
        }
        assertTrue(store.registry().listCohorts().isEmpty());
    }
}
