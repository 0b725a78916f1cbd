package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.port.KeyStore;
import org.junit.jupiter.api.Test;

/** What every {@link KeyStore} must do. */
abstract class KeyStoreContract extends CohortStateContract {

    @Test
    void keysAreCreatedOnceAndRevokedOnce() {
        KeyStore s = state().keys();
        var k = new KeyRecord("abc", "l", "00".repeat(32), T, null, null);
        assertTrue(s.createKey(k));
        assertFalse(s.createKey(k));
        s.touchKey("abc", T.plusSeconds(1));
        assertEquals(T.plusSeconds(1), s.findKey("abc").orElseThrow().lastUsedAt());
        assertTrue(s.revokeKey("abc", T.plusSeconds(2)));
        assertTrue(s.revokeKey("abc", T.plusSeconds(9)));
        assertEquals(T.plusSeconds(2), s.findKey("abc").orElseThrow().revokedAt());
        assertFalse(s.revokeKey("nope", T));
        assertNull(s.findKey("nope").orElse(null));
        assertEquals(1, s.listKeys().size());
    }
}
