package dev.currentsbridge.export.domain.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurrentsJsonDecoderTest {

    private final CurrentsJsonDecoder decoder = new CurrentsJsonDecoder();

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void storageEventKeepsEveryOtherFieldAndDropsNulls() {
        ObjectNode sample = CurrentsSamples.storageSample("users.messages.email.Click");
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(sample, null, sink);
        CurrentsEvent event = sink.accepted.getFirst();
        assertEquals("users.messages.email.Click", event.type());
        assertEquals(sample.get("id").asText(), event.id());
        assertEquals(sample.get("time").asLong(), event.timeSeconds());
        assertEquals("user-01015", event.externalUserId());
        assertEquals("https://example.com/spring-sale?utm_source=braze", event.fields().get("url"));
        assertEquals(List.of("known_bot_user_agent"), event.fields().get("suspected_bot_click_reason"));
        assertEquals(Boolean.FALSE, event.fields().get("is_amp"));
        assertFalse(event.fields().containsKey("canvas_id"), "null fields are left out");
        for (String component : List.of("id", "time", "external_user_id", "event_type")) {
            assertFalse(event.fields().containsKey(component), component);
        }
    }

    @Test
    void typeComesFromTheFieldElseFromTheHint() throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(json("{\"event_type\":\"users.behaviors.Uninstall\",\"id\":\"a\",\"time\":1764300000}"), "users.canvas.Entry", sink);
        decoder.decodeStorage(json("{\"id\":\"b\",\"time\":1764300000,\"external_user_id\":null}"), "users.canvas.Entry", sink);
        assertEquals("users.behaviors.Uninstall", sink.accepted.get(0).type());
        assertEquals("users.canvas.Entry", sink.accepted.get(1).type());
        assertNull(sink.accepted.get(1).externalUserId());
    }

    @Test
    void numbersAreLongOrDouble() throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(json("{\"id\":\"a\",\"time\":1.7643E9,\"n\":3,\"big\":123456789012345678901234,\"f\":2.5}"), "t", sink);
        Map<String, Object> fields = sink.accepted.getFirst().fields();
        assertEquals(1764300000L, sink.accepted.getFirst().timeSeconds());
        assertEquals(3L, fields.get("n"));
        assertEquals(1.2345678901234568E23, fields.get("big"));
        assertEquals(2.5, fields.get("f"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"time\":1764300000}|missing field: id",
            "{\"id\":null,\"time\":1764300000}|missing field: id",
            "{\"id\":42,\"time\":1764300000}|wrong type: id",
            "{\"id\":\"\",\"time\":1764300000}|wrong type: id",
            "{\"id\":\"a\"}|missing field: time",
            "{\"id\":\"a\",\"time\":\"1764300000\"}|wrong type: time",
            "{\"id\":\"a\",\"time\":1764300000.5}|wrong type: time",
            "{\"id\":\"a\",\"time\":1764300000,\"external_user_id\":7}|wrong type: external_user_id",
            "{\"id\":\"a\",\"time\":1764300000,\"event_type\":[1]}|wrong type: event_type",
            "[1,2]|not a JSON object",
            "\"text\"|not a JSON object",
    })
    void badStorageEventsAreRejectedWithAShortReason(String input, String reason) throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(json(input), "users.behaviors.Uninstall", sink);
        assertEquals(List.of(), sink.accepted);
        assertEquals(reason, sink.rejected.getFirst().reason());
        assertEquals(-1, sink.rejected.getFirst().index());
        assertEquals(json(input).toString(), sink.rejected.getFirst().raw());
    }

    @Test
    void storageEventWithoutAnyTypeIsRejected() throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(json("{\"id\":\"a\",\"time\":1764300000}"), null, sink);
        assertEquals("missing event type", sink.rejected.getFirst().reason());
    }

    @Test
    void rejectionReasonsCarryNoPersonalData() throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeStorage(json("{\"id\":17,\"time\":1764300000,\"email_address\":\"jane.doe@example.com\",\"external_user_id\":\"user-9\"}"), "x", sink);
        String reason = sink.rejected.getFirst().reason();
        assertFalse(reason.contains("example.com") || reason.contains("user-9") || reason.contains("17"), reason);
    }

    @Test
    void httpSampleBatchDecodesAllThreeEvents() throws Exception {
        JsonNode batch = CurrentsSamples.readJson(CurrentsSamples.samplesDir().resolve("http-batch-mixed.json"));
        assertTrue(CurrentsJsonDecoder.looksLikeHttpBatch(batch));
        assertFalse(CurrentsJsonDecoder.looksLikeStorageEvent(batch));
        CollectingSink sink = new CollectingSink();
        decoder.decodeHttpBatch(batch, sink);
        assertEquals(List.of(), sink.rejected);
        assertEquals(3, sink.accepted.size());

        CurrentsEvent custom = sink.accepted.get(0);
        assertEquals("users.behaviors.CustomEvent", custom.type());
        assertEquals("user-02001", custom.externalUserId());
        assertEquals("Added To Cart", custom.fields().get("name"));
        assertEquals("65f1a2b3c4d5e6f708192a3b", custom.fields().get("user_id"));
        assertEquals("America/Chicago", custom.fields().get("timezone"));
        assertEquals(Map.of("sku", "SKU-2077", "quantity", 1L, "gift_wrap", true, "tags", List.of("new")),
                custom.fields().get("properties"));

        CurrentsEvent purchase = sink.accepted.get(1);
        assertEquals(Map.of("plan", "yearly", "trial", false, "coupon", "WELCOME20"), purchase.fields().get("properties"));
        assertEquals(79.99, purchase.fields().get("price"));
        assertFalse(purchase.fields().containsKey("purchase_properties"));

        assertNull(sink.accepted.get(2).externalUserId(), "the third event has no external_user_id");
    }

    @Test
    void badBatchElementsAreRejectedByIndexAndGoodOnesKept() throws Exception {
        JsonNode batch = json("""
                {"events":[
                  {"event_type":"users.behaviors.Uninstall","id":"ok-0","time":1764300000,"user":{"external_user_id":"u1"}},
                  42,
                  {"id":"no-type","time":1764300000},
                  {"event_type":"users.behaviors.Uninstall","time":1764300000},
                  {"event_type":"users.behaviors.Uninstall","id":"bad-user","time":1764300000,"user":"u1"},
                  {"event_type":"users.behaviors.Uninstall","id":"bad-props","time":1764300000,"properties":[1]},
                  {"event_type":"users.behaviors.CustomEvent","id":"bad-custom","time":1764300000,"properties":{"custom_properties":5}},
                  {"event_type":"users.behaviors.Uninstall","id":"ok-7","time":1764300000}
                ]}""");
        CollectingSink sink = new CollectingSink();
        decoder.decodeHttpBatch(batch, sink);
        assertEquals(List.of("ok-0", "ok-7"), sink.accepted.stream().map(CurrentsEvent::id).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sink.rejected.stream().map(DecodeFailure::index).toList());
        assertEquals(List.of("not a JSON object", "missing field: event_type", "missing field: id", "wrong type: user",
                        "wrong type: properties", "wrong type: properties.custom_properties"),
                sink.rejected.stream().map(DecodeFailure::reason).toList());
        assertEquals("42", sink.rejected.getFirst().raw());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{}", "{\"events\":{}}", "{\"events\":\"x\"}", "17", "null"})
    void anEnvelopeThatIsNotAnEventsArrayIsMalformed(String input) throws Exception {
        JsonNode node = json(input);
        assertFalse(CurrentsJsonDecoder.looksLikeHttpBatch(node));
        assertThrows(MalformedInputException.class, () -> decoder.decodeHttpBatch(node, new CollectingSink()));
    }

    @Test
    void classifierHelpersTellTheFormsApart() throws Exception {
        ObjectNode storage = CurrentsSamples.storageSample("users.behaviors.CustomEvent");
        assertTrue(CurrentsJsonDecoder.looksLikeStorageEvent(storage));
        assertFalse(CurrentsJsonDecoder.looksLikeHttpBatch(storage));
        assertFalse(CurrentsJsonDecoder.looksLikeStorageEvent(CurrentsSamples.toHttpForm(storage)));
        assertFalse(CurrentsJsonDecoder.looksLikeStorageEvent(json("{\"id\":\"a\"}")));
        assertFalse(CurrentsJsonDecoder.looksLikeStorageEvent(json("[{\"id\":\"a\",\"time\":1}]")));
        assertFalse(CurrentsJsonDecoder.looksLikeStorageEvent(null));
    }

    @Test
    void anEmptyBatchIsFine() throws Exception {
        CollectingSink sink = new CollectingSink();
        decoder.decodeHttpBatch(json("{\"events\":[]}"), sink);
        assertTrue(sink.accepted.isEmpty() && sink.rejected.isEmpty());
    }
}
