package dev.currentsbridge.export.domain.mapping;

import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random ids, users, names and property strings: map() never throws, and insert ids are valid and stable. */
class EventMapperPropertiesTest {

    private static final EventMapper ALL = new EventMapper(MappingConfig.parse("all", null));
    private static final List<String> TYPES = List.copyOf(MappingTable.standard().allTypes());

    @Property(tries = 500)
    void mapNeverThrowsAndInsertIdsAreValidAndStable(@ForAll("types") String type,
                                                     @ForAll("anyString") String id,
                                                     @ForAll("anyString") String user,
                                                     @ForAll @LongRange(min = -100_000_000_000L, max = 300_000_000_000L) long time,
                                                     @ForAll("anyString") String name,
                                                     @ForAll("anyString") String properties) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.put("properties", properties);
        fields.put("app_id", id);
        CurrentsEvent event = new CurrentsEvent(type, id, time, user, fields);

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
    }

    @Property(tries = 300)
    void randomJsonLikePropertiesNeverBreakTheMapper(@ForAll("jsonish") String properties) throws Exception {
        CurrentsEvent event = new CurrentsEvent("users.behaviors.CustomEvent", "evt-1", 1_764_300_000L, "user-1",
                Map.of("name", "Played Song", "properties", properties));
        MappingResult result = ALL.map(event);
        if (result instanceof Mapped mapped) {
            assertNotNull(Json.MAPPER.readTree(mapped.json()));
        } else {
            assertTrue(result instanceof MappingResult.Invalid, result.toString());
        }
    }

    @Provide
    Arbitrary<String> types() {
        return Arbitraries.oneOf(Arbitraries.of(TYPES), Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> anyString() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withChars("abcdef0123456789-").ofMinLength(30).ofMaxLength(40),
                Arbitraries.of("", " ", "null", "anon", "{}", "0", "87d0712d-28ff-5902-8acb-5f5c04de7c1c"));
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> token = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"k\"", "\"v\"", "1", "2.5", "-0", "1e400",
                "true", "null", "\"", "\\", " ", "{\"a\":", "[[[[[", "]]]]]", "{\"b\":{\"c\":{\"d\":{\"e\":[1]}}}}");
        return token.list().ofMaxSize(30).map(parts -> String.join("", parts));
    }
}
