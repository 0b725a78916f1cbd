package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.cohorts.model.MemberRef;
import org.junit.jupiter.api.Test;

/** The array cap guard's compact per-user counts: growth past many resizes, never below zero, users apart. */
class ArrayCapCountsTest {

    @Test
    void countsPerUserSurviveGrowth() {
        ArrayCapGuard.Counts c = new ArrayCapGuard.Counts();
        for (int round = 1; round <= 3; round++) {
            for (int i = 0; i < 20_000; i++) {
                c.add(MemberRef.externalId("u" + i), i % 3 + 1);
            }
        }
        for (int i = 0; i < 20_000; i++) {
            assertEquals(3 * (i % 3 + 1), c.get(MemberRef.externalId("u" + i)), "u" + i);
        }
        assertEquals(0, c.get(MemberRef.externalId("nobody")));
        assertEquals(0, c.get(MemberRef.email("u1")), "another id kind is another user");
        c.add(MemberRef.externalId("u0"), -10);
        assertEquals(0, c.get(MemberRef.externalId("u0")));
    }
}
