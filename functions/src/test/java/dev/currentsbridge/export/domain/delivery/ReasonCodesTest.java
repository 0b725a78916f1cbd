package dev.currentsbridge.export.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReasonCodesTest {

    @Test
    void codesAreBoundedAndFreeOfNumbersAndOddCharacters() {
        assertEquals("decode:missing_field:_id", ReasonCodes.of("decode", "missing field: id"));
        assertEquals(ReasonCodes.of("decode", "corrupt Avro block at record 17: rest lost, 30"),
                ReasonCodes.of("decode", "corrupt Avro block at record 99123: rest lost, 2"));
        assertTrue(ReasonCodes.of("x", "a".repeat(500)).length() <= 66);
        assertEquals("x:unknown", ReasonCodes.of("x", null));
    }
}
