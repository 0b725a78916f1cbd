package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cohort API behind the shared HTTP seam: bad base64 is 400, gzip bodies are inflated, one EMF line a request. */
class CohortApiSeamTest {

    private final List<String> emf = new ArrayList<>();
    private Consumer<String> previousSink;

    @BeforeEach
    void captureMetrics() {
        previousSink = Metrics.setSink(emf::add);
    }

    @AfterEach
    void restoreSink() {
        Metrics.setSink(previousSink);
    }

    @Test
    void badBase64IsA400InTheRoutesShape() throws IOException {
        try (CohortHarness h = CohortHarness.inMemory()) {
            APIGatewayV2HTTPEvent e = CohortHarness.event("POST", "/mixpanel/webhook", "%%%not base64%%%", h.basic(h.key), Map.of());
            e.setIsBase64Encoded(true);
            var r = h.api.handleRequest(e, null);
            assertEquals(400, r.getStatusCode(), r.getBody());
            JsonNode body = Json.MAPPER.readTree(r.getBody());
            assertEquals("failure", body.path("status").asText());
            assertTrue(body.path("error").path("message").asText().contains("not valid base64"), r.getBody());
            assertTrue(h.store.registry().listCohorts().isEmpty());
        }
    }

    @Test
    void gzipBodiesAreInflated() throws IOException {
        try (CohortHarness h = CohortHarness.inMemory()) {
            String page = CohortHarness.membersPage("1", "A", "s", 1, 1, List.of("u1", "u2"));
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
                gz.write(page.getBytes(StandardCharsets.UTF_8));
            }
            Map<String, String> headers = new HashMap<>(h.basic(h.key));
            headers.put("Content-Encoding", "gzip");
            APIGatewayV2HTTPEvent e = CohortHarness.event("POST", "/mixpanel/webhook",
                    Base64.getEncoder().encodeToString(buf.toByteArray()), headers, Map.of());
            e.setIsBase64Encoded(true);
            assertEquals(200, h.api.handleRequest(e, null).getStatusCode());
            assertEquals(1, h.store.registry().listCohorts().size());
        }
    }

    @Test
    void everyInvocationEmitsOneEmfLine() throws IOException {
        try (CohortHarness h = CohortHarness.inMemory()) {
            emf.clear();
            h.webhook(CohortHarness.webhookBody("add_members", "c1", "A", null, 1, 1, List.of("u1", "u2", "u3")));
            h.call("GET", "/cohorts", null, Map.of());
            assertEquals(2, emf.size(), emf.toString());
            JsonNode ok = Json.MAPPER.readTree(emf.get(0));
            assertEquals("cohort_api", ok.path("Function").asText());
            assertEquals(1, ok.path("Requests").asInt());
            assertEquals(1, ok.path("Status2xx").asInt());
            assertEquals(3, ok.path("MembersAdded").asInt());
            JsonNode refused = Json.MAPPER.readTree(emf.get(1));
            assertEquals(1, refused.path("Status4xx").asInt());
            assertTrue(refused.path("Status2xx").isMissingNode());
        }
    }
}
