package dev.currentsbridge.export.domain.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpBatchSplitterTest {

    @Test
    void bodiesFitTheLimitAndKeepEveryEventInOrder() throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add("{\"id\":\"" + i + "\",\"pad\":\"" + "é".repeat(i * 3) + "\"}");
        }

        List<String> bodies = HttpBatchSplitter.split(events, 600);

        List<String> ids = new ArrayList<>();
        for (String b : bodies) {
            assertTrue(b.getBytes(StandardCharsets.UTF_8).length <= 600, b.length() + " bytes");
            for (JsonNode e : Json.MAPPER.readTree(b).get("events")) {
                ids.add(e.get("id").asText());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, ids);
        assertTrue(bodies.size() > 1);
    }

    @Test
    void oneEventTooLargeForAnyMessageIsRefused() {
        assertThrows(HttpBatchSplitter.EventTooLargeException.class,
                () -> HttpBatchSplitter.split(List.of("{\"x\":\"" + "a".repeat(600) + "\"}"), 600));
        assertEquals(List.of(), HttpBatchSplitter.split(List.of(), 600));
    }
}
