package dev.currentsbridge.export.domain.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InsertIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"87d0712d-28ff-5902-8acb-5f5c04de7c1c", "a", "ABC-def-123", "123456789012345678901234567890123456"})
    void idsMixpanelAcceptsAreKept(String id) {
        assertEquals(id, InsertIds.fromCurrentsId(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1234567890123456789012345678901234567", "has space", "under_score", "dots.in.id", "ümlaut",
            "a/b", "$insert", ""})
    void otherIdsAreHashedToThirtyTwoHexCharacters(String id) {
        String insertId = InsertIds.fromCurrentsId(id);
        assertEquals(32, insertId.length());
        assertTrue(insertId.matches("[0-9a-f]{32}"), insertId);
        assertEquals(insertId, InsertIds.fromCurrentsId(id), "stable");
        assertFalse(InsertIds.isValid(id));
    }

    @Test
    void theHashIsTheFirst32HexCharactersOfSha256() {
        // printf under_score | sha256sum
        assertEquals("d8071166bbe6131a0acaf86019eeeca3", InsertIds.fromCurrentsId("under_score"));
        assertNotEquals(InsertIds.fromCurrentsId("a_b"), InsertIds.fromCurrentsId("a_c"));
    }

    @Test
    void validityRules() {
        assertFalse(InsertIds.isValid(null));
        assertFalse(InsertIds.isValid(""));
        assertTrue(InsertIds.isValid("-"));
        assertFalse(InsertIds.isValid("x".repeat(37)));
    }
}
