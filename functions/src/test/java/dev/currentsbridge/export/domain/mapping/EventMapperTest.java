package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.MappingResult.Invalid;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;
import dev.currentsbridge.export.domain.mapping.MappingResult.Skipped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventMapperTest {

    private static final String CUSTOM = "users.behaviors.CustomEvent";
    private static final String PURCHASE = "users.behaviors.Purchase";
    private static final String UNINSTALL = "users.behaviors.Uninstall";
    private static final long TIME = 1_764_300_000L;

    private final EventMapper mapper = new EventMapper(MappingConfig.defaults());

    private static CurrentsEvent event(String type, String id, String user, Map<String, Object> fields) {
        return new CurrentsEvent(type, id, TIME, user, fields);
    }

    private static CurrentsEvent custom(Object properties) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", "Played Song");
        fields.put("app_id", "app-1");
        fields.put("properties", properties);
        return event(CUSTOM, "evt-1", "user-1", fields);
    }

    private JsonNode properties(MappingResult result) throws Exception {
        return Json.MAPPER.readTree(assertInstanceOf(Mapped.class, result).json()).get("properties");
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void exactBytesOfASimpleEvent() {
        Mapped mapped = assertInstanceOf(Mapped.class,
                mapper.map(event(UNINSTALL, "3f1e-77", "user-1", Map.of("app_id", "app-1", "user_id", "braze-1"))));
        assertEquals("{\"event\":\"Uninstall\",\"properties\":{\"time\":1764300000000,\"distinct_id\":\"user-1\","
                        + "\"$insert_id\":\"3f1e-77\",\"ip\":0,\"app_id\":\"app-1\"}}",
                new String(mapped.json(), StandardCharsets.UTF_8));
        assertEquals("Uninstall", mapped.eventName());
        assertEquals(UNINSTALL, mapped.currentsType());
        assertEquals("3f1e-77", mapped.insertId());
    }

    @Test
    void unselectedAndUnknownTypesAreSkipped() {
        assertEquals(new Skipped("users.profile.Update", SkipReason.TYPE_NOT_SELECTED),
                mapper.map(event("users.profile.Update", "a", "u", Map.of())));
        assertEquals(new Skipped("users.something.New", SkipReason.TYPE_NOT_SELECTED),
                mapper.map(event("users.something.New", "a", "u", Map.of())));
        assertEquals(new Skipped(null, SkipReason.TYPE_NOT_SELECTED), mapper.map(event(null, "a", "u", Map.of())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void blankExternalUserIdIsSkipped(String user) {
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_EXTERNAL_USER_ID), mapper.map(event(UNINSTALL, "a", user, Map.of())));
    }

    @Test
    void missingExternalUserIdIsSkipped() {
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_EXTERNAL_USER_ID), mapper.map(event(UNINSTALL, "a", null, Map.of())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "anon", "Anonymous", "nil", "None", "NULL", "n/a",
            "na", "undefined", "unknown", "<nil>", "0", "-1", "true", "False", "[]", "{}", " null "})
    void placeholderDistinctIdsAreInvalid(String user) {
        Invalid invalid = assertInstanceOf(Invalid.class, mapper.map(event(UNINSTALL, "a", user, Map.of())));
        assertTrue(invalid.reason().contains("placeholder"));
        assertFalse(invalid.reason().contains(user.trim()) && user.trim().length() > 2, "no value in the reason");
    }

    @Test
    void timeBefore1971IsInvalidAndTheFirstSecondOf1971IsNot() {
        assertEquals(new Invalid(UNINSTALL, "time before 1971-01-01"),
                mapper.map(new CurrentsEvent(UNINSTALL, "a", 31_535_999L, "u", Map.of())));
        assertEquals(new Invalid(UNINSTALL, "time before 1971-01-01"),
                mapper.map(new CurrentsEvent(UNINSTALL, "a", -5L, "u", Map.of())));
        assertInstanceOf(Mapped.class, mapper.map(new CurrentsEvent(UNINSTALL, "a", 31_536_000L, "u", Map.of())));
        assertInstanceOf(Invalid.class, mapper.map(new CurrentsEvent(UNINSTALL, "a", Long.MAX_VALUE, "u", Map.of())));
    }

    @Test
    void customEventNameAndPrefixedPropertiesSortedByKey() throws Exception {
        MappingResult result = mapper.map(custom("{\"zeta\":1,\"alpha\":\"a\",\"Mid\":true}"));
        assertEquals("[Braze Custom Event] Played Song", ((Mapped) result).eventName());
        JsonNode props = properties(result);
        assertEquals(List.of("time", "distinct_id", "$insert_id", "ip", "app_id",
                        "[Custom event property] Mid", "[Custom event property] alpha", "[Custom event property] zeta"),
                names(props));
    }

    @Test
    void customPropertiesAsMapOrJsonStringGiveTheSameBytes() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", List.of(1L, 2.5, "x"));
        map.put("a", Map.of("y", 2L, "x", 1L));
        byte[] fromMap = ((Mapped) mapper.map(custom(map))).json();
        byte[] fromString = ((Mapped) mapper.map(custom("{\"b\":[1,2.5,\"x\"],\"a\":{\"x\":1,\"y\":2}}"))).json();
        assertEquals(new String(fromMap, StandardCharsets.UTF_8), new String(fromString, StandardCharsets.UTF_8));
    }

    @Test
    void purchasePropertiesGetThePurchasePrefix() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("product_id", "sku-1");
        fields.put("price", 10.0);
        fields.put("currency", "EUR");
        fields.put("properties", "{\"color\":\"red\"}");
        JsonNode props = properties(mapper.map(event(PURCHASE, "p-1", "u", fields)));
        assertEquals("red", props.get("[Purchase property] color").asText());
        assertEquals("sku-1", props.get("productId").asText());
        assertEquals("10", props.get("price").toString(), "whole doubles are written as integers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{not json", "[1,2]", "42", "{\"a\":1} trailing", "\"text\""})
    void malformedPropertiesJsonIsInvalid(String properties) {
        Invalid invalid = assertInstanceOf(Invalid.class, mapper.map(custom(properties)));
        assertTrue(invalid.reason().contains("properties JSON"), invalid.reason());
    }

    @Test
    void emptyOrNullPropertiesAreNone() throws Exception {
        for (Object none : new Object[]{"", "null", "{}", null}) {
            JsonNode props = properties(mapper.map(custom(none)));
            assertEquals(5, props.size(), String.valueOf(none));
        }
    }

    @Test
    void aCustomEventWithoutNameIsInvalid() {
        assertEquals(new Invalid(CUSTOM, "missing custom event name"),
                mapper.map(event(CUSTOM, "a", "u", Map.of("properties", "{}"))));
        assertEquals(new Invalid(CUSTOM, "missing custom event name"),
                mapper.map(event(CUSTOM, "a", "u", Map.of("name", " "))));
    }

    @Test
    void deeperThanThreeLevelsBecomesAJsonString() throws Exception {
        // level 1: the property's object, 2: b, 3: c, 4: d (too deep)
        JsonNode props = properties(mapper.map(custom("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}},\"c2\":[[1,[2]]]}}}")));
        JsonNode a = props.get("[Custom event property] a");
        assertTrue(a.get("b").get("c").isObject(), "level 3 stays an object");
        assertEquals("{\"e\":1}", a.get("b").get("c").get("d").asText());
        assertTrue(a.get("b").get("c2").isArray(), "level 3 array");
        assertEquals("[1,[2]]", a.get("b").get("c2").get(0).asText(), "arrays count as levels too");
        assertTrue(depth(props) <= 4, "properties object + 3 levels");
    }

    @Test
    void arraysAndNestedObjectsAreCutTo254Elements() throws Exception {
        List<Object> list = new ArrayList<>();
        Map<String, Object> wide = new TreeMap<>();
        for (int i = 0; i < 300; i++) {
            list.add((long) i);
            wide.put(String.format("k%03d", i), (long) i);
        }
        JsonNode props = properties(mapper.map(custom(Map.of("list", list, "wide", wide))));
        JsonNode array = props.get("[Custom event property] list");
        assertEquals(254, array.size());
        assertEquals(253, array.get(253).asLong());
        JsonNode object = props.get("[Custom event property] wide");
        assertEquals(254, object.size());
        assertTrue(object.has("k253") && !object.has("k254"), "the first keys in sorted order are kept");
    }

    @Test
    void propertiesBeyond254AreDroppedInKeyOrder() throws Exception {
        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = 299; i >= 0; i--) {
            many.put(String.format("p%03d", i), (long) i);
        }
        JsonNode props = properties(mapper.map(custom(many)));
        assertEquals(254, props.size());
        // 4 fixed + app_id leave room for 249 custom properties: p000..p248
        assertTrue(props.has("[Custom event property] p248"));
        assertFalse(props.has("[Custom event property] p249"));
    }

    @Test
    void nameOverridesReplaceTheTableNameAndTheCustomPrefix() {
        EventMapper renamed = new EventMapper(MappingConfig.parse("default",
                "{\"users.behaviors.Uninstall\":\"App Removed\",\"users.behaviors.CustomEvent\":\"[Braze]\"}"));
        assertEquals("App Removed", ((Mapped) renamed.map(event(UNINSTALL, "a", "u", Map.of()))).eventName());
        assertEquals("[Braze] Played Song", ((Mapped) renamed.map(custom("{}"))).eventName());
    }

    @Test
    void tableBTypesUseTheirDocumentedNameOrTheirType() throws Exception {
        EventMapper all = new EventMapper(MappingConfig.parse("all", null));
        Mapped banner = (Mapped) all.map(event("users.messages.banner.Click", "a", "u", Map.of("button_id", "1")));
        assertEquals("Banner Click", banner.eventName());
        assertEquals("1", properties(banner).get("button_id").asText());
        assertEquals("users.profile.Update",
                ((Mapped) all.map(event("users.profile.Update", "a", "u", Map.of()))).eventName());
    }

    @Test
    void nonUuidIdsGetAStableHashedInsertId() {
        Mapped mapped = (Mapped) mapper.map(event(UNINSTALL, "6543_abc:def/ghi", "u", Map.of()));
        assertEquals(InsertIds.fromCurrentsId("6543_abc:def/ghi"), mapped.insertId());
        assertTrue(InsertIds.isValid(mapped.insertId()));
        assertEquals(32, mapped.insertId().length());
    }

    @Test
    void nonFiniteAndNestedNullValuesStayValidJson() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("nan", Double.NaN);
        nested.put("none", null);
        JsonNode props = properties(mapper.map(custom(Map.of("n", nested))));
        JsonNode n = props.get("[Custom event property] n");
        assertTrue(n.get("nan").isNull());
        assertTrue(n.get("none").isNull());
    }

    @Test
    void warmUpMapsOneSyntheticEventPerSelectedType() {
        assertEquals(41, mapper.warmUp());
        assertEquals(2, new EventMapper(MappingConfig.parse("users.behaviors.Purchase,users.canvas.Entry", null)).warmUp());
    }

    private static int depth(JsonNode node) {
        int max = 0;
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            max = Math.max(max, depth(it.next()));
        }
        return node.isContainerNode() ? max + 1 : 0;
    }
}
