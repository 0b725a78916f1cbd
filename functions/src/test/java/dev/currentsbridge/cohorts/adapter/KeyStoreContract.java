package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.cohorts.port.KeyStore;
import dev.currentsbridge.cohorts.port.KeyStore.Revocation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link KeyStore} must do. */
abstract class KeyStoreContract extends CohortStateContract {

    /** Rounds of the concurrent revocation race; a store may lower it when each round is slow. */
    int raceRounds() {
        return 25;
    }

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

    @Test
    void rolesAndProjectBindingRoundTrip() {
        KeyStore s = state().keys();
        assertTrue(s.createKey(key("post", KeyRole.POSTBACK, "123")));
        assertTrue(s.createKey(key("adm", KeyRole.ADMIN, null)));
        assertTrue(s.createKey(new KeyRecord("legacy", "", "00".repeat(32), T, null, null)));
        assertEquals(KeyRole.POSTBACK, s.findKey("post").orElseThrow().role());
        assertEquals("123", s.findKey("post").orElseThrow().projectId());
        assertEquals(KeyRole.ADMIN, s.findKey("adm").orElseThrow().role());
        assertNull(s.findKey("adm").orElseThrow().projectId());
        assertEquals(KeyRole.ADMIN, s.findKey("legacy").orElseThrow().role(), "a key without a role is an admin key");
    }

    @Test
    void theLastActiveAdminKeyIsNeverRevokedThroughTheGuardedPath() {
        KeyStore s = state().keys();
        s.createKey(key("a1", KeyRole.ADMIN, null));
        s.createKey(key("p1", KeyRole.POSTBACK, null));
        assertEquals(Revocation.LAST_ADMIN, s.revokeKeepingAnAdmin("a1", T), "postback keys do not count");
        assertEquals(Revocation.REVOKED, s.revokeKeepingAnAdmin("p1", T), "the last postback key may go");
        assertEquals(Revocation.ALREADY_REVOKED, s.revokeKeepingAnAdmin("p1", T));
        assertEquals(Revocation.NO_SUCH_KEY, s.revokeKeepingAnAdmin("nope", T));
        s.createKey(key("a2", KeyRole.ADMIN, null));
        assertEquals(Revocation.REVOKED, s.revokeKeepingAnAdmin("a1", T));
        assertEquals(Revocation.LAST_ADMIN, s.revokeKeepingAnAdmin("a2", T));
        assertTrue(s.findKey("a2").orElseThrow().active());
        // the break-glass path (credentials for the store) may revoke it; a new admin key is protected again
        assertTrue(s.revokeKey("a2", T));
        s.createKey(key("a3", KeyRole.ADMIN, null));
        s.createKey(key("a4", KeyRole.ADMIN, null));
        assertEquals(Revocation.REVOKED, s.revokeKeepingAnAdmin("a3", T));
        assertEquals(Revocation.LAST_ADMIN, s.revokeKeepingAnAdmin("a4", T));
    }

    /**
     * Every round, all active admin keys (two new ones and the previous round's survivor) and a postback key are
     * revoked at once from their own threads: exactly one admin revocation is refused, so exactly one admin
     * key stays active, and the postback key always goes. A check-then-act store fails this within a few rounds.
     */
    @Test
    void concurrentRevocationsNeverRevokeTheLastAdminKey() throws Exception {
        KeyStore s = state().keys();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            s.createKey(key("k0a", KeyRole.ADMIN, null));
            for (int round = 1; round <= raceRounds(); round++) {
                s.createKey(key("k" + round + "a", KeyRole.ADMIN, null));
                s.createKey(key("k" + round + "b", KeyRole.ADMIN, null));
                s.createKey(key("k" + round + "p", KeyRole.POSTBACK, null));
                List<String> admins = s.listKeys().stream().filter(KeyRecord::activeAdmin).map(KeyRecord::keyId).toList();
                assertEquals(3, admins.size(), "round " + round);
                List<String> targets = new ArrayList<>(admins);
                targets.add("k" + round + "p");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Revocation>> results = new ArrayList<>();
                for (String id : targets) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return s.revokeKeepingAnAdmin(id, T);
                    }));
                }
                start.countDown();
                List<Revocation> outcomes = new ArrayList<>();
                for (Future<Revocation> f : results) {
                    outcomes.add(f.get());
                }
                assertEquals(Revocation.REVOKED, outcomes.get(3), "round " + round + ": the postback key");
                assertEquals(2, outcomes.subList(0, 3).stream().filter(o -> o == Revocation.REVOKED).count(),
                        "round " + round + ": " + outcomes);
                assertEquals(1, outcomes.subList(0, 3).stream().filter(o -> o == Revocation.LAST_ADMIN).count(),
                        "round " + round + ": " + outcomes);
                assertEquals(1, s.listKeys().stream().filter(KeyRecord::activeAdmin).count(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static KeyRecord key(String id, KeyRole role, String project) {
        return new KeyRecord(id, "", "00".repeat(32), T, null, null, role, project);
    }
}
