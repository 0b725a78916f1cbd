package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KeyAdminTest {

    private final CohortState store = InMemoryCohortStore.create();
    private final KeyAdmin admin = new KeyAdmin(store.keys(), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void createdKeysAuthenticateAndAreStoredAsHashesOnly() {
        CreatedKey a = admin.create("first");
        CreatedKey b = admin.create("second");
        assertNotEquals(a.secret(), b.secret());
        assertTrue(admin.authenticate(a.secret()).isPresent());
        assertTrue(admin.authenticate(b.secret()).isPresent());
        assertEquals(64, store.keys().findKey(a.record().keyId()).orElseThrow().sha256Hex().length());
        assertTrue(store.keys().listKeys().stream().noneMatch(k -> k.sha256Hex().contains(a.secret())));
        assertTrue(a.toString().indexOf(a.secret()) < 0, "toString never shows the secret");
    }

    @Test
    void wrongUnknownMalformedAndRevokedKeysAreRefused() {
        CreatedKey a = admin.create(null);
        String s = a.secret();
        String flipped = s.substring(0, s.length() - 1) + (s.endsWith("A") ? "B" : "A");
        assertTrue(admin.authenticate(flipped).isEmpty());
        String otherId = "cbk_zzzzzzzzzz" + s.substring(14);
        assertTrue(admin.authenticate(otherId).isEmpty());
        assertTrue(admin.authenticate("").isEmpty());
        assertTrue(admin.authenticate(null).isEmpty());
        assertTrue(admin.revoke(a.record().keyId()));
        assertTrue(admin.authenticate(s).isEmpty());
        assertEquals(0, admin.activeCount());
    }
}
