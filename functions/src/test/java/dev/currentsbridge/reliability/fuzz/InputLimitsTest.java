package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.CohortApi;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.MappingResult;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The input limits, each tested at its boundary: JSON nesting depth, string and number length
 * ({@code StreamReadConstraints} in {@link Json}), request body size and ids per postback (cohort API), member id
 * length, and properties per event (mapper).
 */
class InputLimitsTest {

    private final ManualClock clock = new ManualClock();
    private CohortState store;
    private CohortApiHandler handler;
    private String key;

    @BeforeEach
    void start() {
        store = InMemoryCohortStore.create();
        handler = new CohortApiHandler(store, Env.of(Map.of("TABLE_NAME", "unused")), clock);
        key = new KeyAdmin(store.keys(), clock).create("limits").secret();
    }

    @Test
    void jsonNestingDepth() {
        assertDoesNotThrow(() -> Json.MAPPER.readTree(nested(Json.MAX_NESTING_DEPTH)));
        assertThrows(StreamConstraintsException.class, () -> Json.MAPPER.readTree(nested(Json.MAX_NESTING_DEPTH + 1)));
    }

    @Test
    void jsonNumberLength() throws IOException {
        assertTrue(Json.MAPPER.readTree("[" + "9".repeat(Json.MAX_NUMBER_LENGTH) + "]").get(0).isNumber());
        assertThrows(StreamConstraintsException.class,
                () -> Json.MAPPER.readTree("[" + "9".repeat(Json.MAX_NUMBER_LENGTH + 1) + "]"));
        assertThrows(StreamConstraintsException.class,
                () -> Json.MAPPER.readTree("[1." + "5".repeat(Json.MAX_NUMBER_LENGTH + 1) + "]"));
    }

    @Test
    void jsonStringLength() throws IOException {
        assertEquals(Json.MAX_STRING_LENGTH,
                Json.MAPPER.readTree("[\"" + "s".repeat(Json.MAX_STRING_LENGTH) + "\"]").get(0).asText().length());
        assertThrows(StreamConstraintsException.class,
                () -> Json.MAPPER.readTree("[\"" + "s".repeat(Json.MAX_STRING_LENGTH + 1) + "\"]"));
    }

    @Test
    void cohortApiRefusesOverLimitJsonWith400() throws IOException {
        String valid = CohortApiFuzzTest.webhook("add_members", "c1", null, CohortApiFuzzTest.ids(1)).toString();
        String deep = valid.replace("\"mixpanel_cohort_description\":\"fuzz\"",
                "\"mixpanel_cohort_description\":" + nested(Json.MAX_NESTING_DEPTH + 1));
        String longNumber = valid.replace("\"mixpanel_project_id\":\"123\"",
                "\"mixpanel_project_id\":" + "1".repeat(Json.MAX_NUMBER_LENGTH + 1));
        String longString = valid.replace("\"fuzz\"", "\"" + "s".repeat(Json.MAX_STRING_LENGTH + 1) + "\"");
        for (String body : List.of(deep, longNumber, longString)) {
            APIGatewayV2HTTPResponse r = webhook(body);
            assertEquals(400, r.getStatusCode(), r.getBody());
            assertEquals("body is not valid JSON", Json.MAPPER.readTree(r.getBody()).path("error").path("message").asText());
        }
        assertTrue(store.registry().listCohorts().isEmpty());
    }

    @Test
    void requestBodySizeBoundary() {
        String valid = CohortApiFuzzTest.webhook("add_members", "c1", null, CohortApiFuzzTest.ids(3)).toString();
        String exactly = valid + " ".repeat(CohortApi.MAX_BODY_BYTES - valid.length());
        assertEquals(200, webhook(exactly).getStatusCode(), "a body of exactly 1 MiB is accepted");
        APIGatewayV2HTTPResponse over = webhook(exactly + " ");
        assertEquals(413, over.getStatusCode());
        assertTrue(over.getBody().contains("larger than"), over.getBody());
    }

    @Test
    void memberIdLength() {
        String ok = CohortApiFuzzTest.webhook("add_members", "c1", null, List.of("i".repeat(320))).toString();
        String tooLong = CohortApiFuzzTest.webhook("add_members", "c2", null, List.of("i".repeat(321))).toString();
        assertEquals(200, webhook(ok).getStatusCode());
        // was 400, which pauses Mixpanel's whole sync: now the member is skipped and the reply says so
        APIGatewayV2HTTPResponse r = webhook(tooLong);
        assertEquals(200, r.getStatusCode());
        assertTrue(r.getBody().contains("over 320 characters"), r.getBody());
        assertTrue(r.getBody().contains("\"too_long\":1"), r.getBody());
    }

    @Test
    void propertiesPerEventStayUnderMixpanelsLimit() throws IOException {
        EventMapper mapper = new EventMapper(MappingConfig.defaults());
        Map<String, Object> custom = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            custom.put("p" + i, i);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", "Big Event");
        fields.put("properties", custom);
        MappingResult result = mapper.map(new CurrentsEvent("users.behaviors.CustomEvent", "id-1", 1_764_301_918L,
                "user-1", fields));
        MappingResult.Mapped m = assertInstanceOf(MappingResult.Mapped.class, result);
        JsonNode properties = Json.MAPPER.readTree(m.json()).get("properties");
        assertTrue(properties.size() <= EventMapper.MAX_PROPERTIES, "at most 254 properties, got " + properties.size());
        assertTrue(properties.size() > 200, "the room left is filled, not dropped wholesale");
    }

    private APIGatewayV2HTTPResponse webhook(String body) {
        return handler.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", body,
                Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key))), null);
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }
}
