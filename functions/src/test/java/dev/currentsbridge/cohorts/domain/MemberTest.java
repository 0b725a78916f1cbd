package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private final MemberRef u = MemberRef.externalId("u1");

    @Test
    void joiningMemberIsPendingUntilApplied() {
        Member m = Member.joining(u, T);
        assertTrue(m.pending("A"));
        Member applied = m.appliedAs("A", T);
        assertFalse(applied.pending("A"));
        assertTrue(applied.pending("B"), "a rename makes it pending again");
    }

    @Test
    void leavingMemberIsPendingRemovalThenRemovable() {
        Member left = Member.joining(u, T).appliedAs("A", T).withDesired(false, T);
        assertTrue(left.pending("A"));
        assertNull(left.wanted("A"));
        Member done = left.appliedAs(null, T);
        assertFalse(done.pending("A"));
        assertTrue(done.removable());
    }

    @Test
    void rejectionSticksUntilDesiredChanges() {
        Member rejected = Member.joining(u, T).rejected("A", "Invalid user", T);
        assertFalse(rejected.pending("A"));
        assertEquals("Invalid user", rejected.rejectReason());
        assertTrue(rejected.pending("B"), "another value is another change");
        Member out = rejected.withDesired(false, T);
        assertNull(out.rejectReason());
        assertFalse(out.pending("A"), "never applied, now out: nothing to do");
        assertSame(out, out.withDesired(false, T));
    }

    @Test
    void storageKeyRoundTripsAndKeepsKinds() {
        MemberRef email = MemberRef.email("a#b@example.com");
        assertEquals(email, MemberRef.fromStorageKey(email.storageKey()));
        assertEquals(u, MemberRef.fromStorageKey(u.storageKey()));
        assertFalse(email.toString().contains("example"), "ids stay out of toString");
    }
}
