package dev.currentsbridge.export.domain.mapping;

import static dev.currentsbridge.standins.fixtures.RandomCases.anyString;
import static dev.currentsbridge.standins.fixtures.RandomCases.forAll;
import static dev.currentsbridge.standins.fixtures.RandomCases.longBetween;
import static dev.currentsbridge.standins.fixtures.RandomCases.oneOf;
import static dev.currentsbridge.standins.fixtures.RandomCases.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random ids, users, names and property strings: map() never throws, and insert ids are valid and stable. */
class EventMapperPropertiesTest {

    private static final EventMapper ALL = new EventMapper(MappingConfig.parse("all", null));
    private static final List<String> TYPES = List.copyOf(MappingTable.standard().allTypes());
    private static final List<String> SPECIAL = List.of("", " ", "null", "anon", "{}", "0",
            "87d0712d-28ff-5902-8acb-5f5c04de7c1c");
    private static final List<String> JSON_TOKENS = List.of("{", "}", "[", "]", ":", ",", "\"k\"", "\"v\"", "1",
            "2.5", "-0", "1e400", "true", "null", "\"", "\\", " ", "{\"a\":", "[[[[[", "]]]]]",
            "{\"b\":{\"c\":{\"d\":{\"e\":[1]}}}}");

    private static String someString(Random r) {
        return oneOf(r,
                () -> anyString(r, 60),
                () -> string(r, "abcdef0123456789-", 30, 40),
                () -> oneOf(r, SPECIAL));
    }

    @Test
    void mapNeverThrowsAndInsertIdsAreValidAndStable() {
        forAll("mapper total and stable", 500, 0x5EED_0001L, r -> {
            String type = r.nextBoolean() ? oneOf(r, TYPES) : anyString(r, 20);
            String id = someString(r);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", someString(r));
            fields.put("properties", someString(r));
            fields.put("app_id", id);
            CurrentsEvent event = new CurrentsEvent(type, id, longBetween(r, -100_000_000_000L, 300_000_000_000L),
                    someString(r), fields);

            MappingResult first = ALL.map(event);
            assertNotNull(first);
            String insertId = InsertIds.fromCurrentsId(id);
            assertTrue(InsertIds.isValid(insertId), insertId);
            assertEquals(insertId, InsertIds.fromCurrentsId(new String(id.toCharArray())));
            if (first instanceof Mapped mapped) {
                assertEquals(insertId, mapped.insertId());
                assertTrue(Json.MAPPER.readTree(mapped.json()).get("properties").size() < 255);
                assertArrayEquals(mapped.json(), ((Mapped) ALL.map(event)).json(), "same event, same bytes");
            }
        });
    }

    @Test
    void randomJsonLikePropertiesNeverBreakTheMapper() {
        forAll("json-ish custom properties", 300, 0x5EED_0002L, r -> {
            StringBuilder properties = new StringBuilder();
            int parts = r.nextInt(31);
            for (int i = 0; i < parts; i++) {
                properties.append(oneOf(r, JSON_TOKENS));
            }
            CurrentsEvent event = new CurrentsEvent("users.behaviors.CustomEvent", "evt-1", 1_764_300_000L, "user-1",
                    Map.of("name", "Played Song", "properties", properties.toString()));
            MappingResult result = ALL.map(event);
            if (result instanceof Mapped mapped) {
                assertNotNull(Json.MAPPER.readTree(mapped.json()));
            } else {
                assertTrue(result instanceof MappingResult.Invalid, result.toString());
            }
        });
    }
}
