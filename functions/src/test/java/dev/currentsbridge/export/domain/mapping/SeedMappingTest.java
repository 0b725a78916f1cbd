package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every type of the seed's list (spec table A): the sample event of events-samples/currents mapped with the
 * default configuration equals, byte for byte, the Mixpanel event expected from the spec
 * (test resources expected-mixpanel/&lt;type&gt;.json).
 */
class SeedMappingTest {

    private static final EventMapper MAPPER = new EventMapper(MappingConfig.defaults());

    static List<String> seedTypes() {
        return List.copyOf(MappingTable.standard().defaultTypes());
    }

    @Test
    void theDefaultSelectionIsTheSeedsFortyOneTypes() {
        assertEquals(41, seedTypes().size());
        List<String> expectedFiles = seedTypes().stream()
                .filter(t -> SeedMappingTest.class.getResource("/expected-mixpanel/" + t + ".json") != null)
                .toList();
        assertEquals(seedTypes(), expectedFiles, "an expected-mixpanel file for every seed type");
    }

    @ParameterizedTest
    @MethodSource("seedTypes")
    void sampleMapsToTheExpectedMixpanelEvent(String type) throws Exception {
        Mapped mapped = mapSample(type);
        String expected = CurrentsSamples.resourceText("/expected-mixpanel/" + type + ".json").strip();
        assertEquals(expected, new String(mapped.json(), StandardCharsets.UTF_8));
        JsonNode tree = Json.MAPPER.readTree(mapped.json());
        assertEquals(tree.path("event").asText(), mapped.eventName());
        assertEquals(tree.path("properties").path("$insert_id").asText(), mapped.insertId());
    }

    @ParameterizedTest
    @MethodSource("seedTypes")
    void nullFieldsAreLeftOutAndTheFixedPropertiesComeFirst(String type) throws Exception {
        JsonNode sample = CurrentsSamples.storageSample(type);
        JsonNode properties = Json.MAPPER.readTree(mapSample(type).json()).get("properties");
        List<String> names = iterable(properties.fieldNames());
        assertEquals(List.of("time", "distinct_id", "$insert_id", "ip"), names.subList(0, 4));
        assertEquals(sample.get("time").asLong() * 1000, properties.get("time").asLong(), "milliseconds");
        assertTrue(properties.get("ip").isNumber() && properties.get("ip").asInt() == 0, "ip is the number 0");
        properties.fields().forEachRemaining(e -> assertFalse(e.getValue().isNull(), e.getKey() + " is null"));
        for (PropertyRule rule : MappingTable.standard().find(type).properties()) {
            JsonNode source = sample.get(rule.field());
            assertEquals(source != null && !source.isNull(), properties.has(rule.property()), rule.field());
        }
    }

    @Test
    void renamesFromTheSeedAreApplied() throws Exception {
        JsonNode purchase = Json.MAPPER.readTree(mapSample("users.behaviors.Purchase").json()).get("properties");
        assertEquals("premium_monthly", purchase.get("productId").asText());
        assertFalse(purchase.has("product_id"));
        JsonNode card = Json.MAPPER.readTree(mapSample("users.messages.contentcard.Send").json()).get("properties");
        assertEquals(CurrentsSamples.storageSample("users.messages.contentcard.Send").get("content_card_id").asText(),
                card.get("card_id").asText());
        assertFalse(card.has("content_card_id"));
    }

    @Test
    void customEventsArePrefixedAndNamed() throws Exception {
        Mapped mapped = mapSample("users.behaviors.CustomEvent");
        assertEquals("[Braze Custom Event] Added To Cart", mapped.eventName());
        JsonNode properties = Json.MAPPER.readTree(mapped.json()).get("properties");
        assertEquals("SKU-1042", properties.get("[Custom event property] sku").asText());
        assertFalse(properties.has("name"), "the name is the event, not a property");
        assertFalse(properties.has("properties"));
    }

    @Test
    void emailFieldsOfOtherEmailTypesAreAbsentNotNull() throws Exception {
        JsonNode open = Json.MAPPER.readTree(mapSample("users.messages.email.Open").json()).get("properties");
        assertTrue(open.has("machine_open"));
        assertTrue(open.has("user_agent"));
        for (String clickOnly : Set.of("url", "link_id", "link_alias")) {
            assertFalse(open.has(clickOnly), clickOnly);
        }
    }

    static Mapped mapSample(String type) {
        CollectingSink sink = new CollectingSink();
        new CurrentsJsonDecoder().decodeStorage(CurrentsSamples.storageSample(type), null, sink);
        assertEquals(List.of(), sink.rejected);
        CurrentsEvent event = sink.accepted.getFirst();
        assertEquals(type, event.type());
        return assertInstanceOf(Mapped.class, MAPPER.map(event));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

}
