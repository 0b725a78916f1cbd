package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.port.Membership;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What every {@link Membership} must do. */
abstract class MembershipContract extends CohortStateContract {

    @Test
    void leaseIsExclusiveUntilReleasedOrExpired() {
        CohortState state = state();
        Membership s = state.membership();
        assertFalse(s.acquireLease("c", T, T.plusSeconds(60)), "no cohort, no lease");
        state.registry().upsertCohort(new CohortUpsert("c", "N", null, null, T), SyncMode.DYNAMIC);
        assertTrue(s.acquireLease("c", T, T.plusSeconds(60)));
        assertFalse(s.acquireLease("c", T.plusSeconds(30), T.plusSeconds(90)));
        assertTrue(s.acquireLease("c", T.plusSeconds(61), T.plusSeconds(120)), "expired lease");
        s.releaseLease("c");
        assertTrue(s.acquireLease("c", T.plusSeconds(62), T.plusSeconds(120)));
        s.setFoldedThrough("c", T.plusSeconds(3));
        assertEquals(T.plusSeconds(3), s.foldedThrough("c").orElseThrow());
    }

    @Test
    void membersArePutDeletedAndPagedInKeyOrder() {
        Membership s = state().membership();
        List<Member> members = new ArrayList<>();
        IntStream.range(0, 60).forEach(i -> members.add(Member.joining(MemberRef.externalId(String.format("u%03d", i)), T)
                .appliedAs(i % 2 == 0 ? "A" : null, T)));
        members.add(new Member(MemberRef.email("x@y.z"), true, null, "+A", "Invalid user", T));
        s.writeMembers("c", members);
        assertEquals(61, s.allMembers("c").size());
        Member rejected = s.allMembers("c").stream().filter(m -> m.ref().kind() != MemberRef.externalId("a").kind())
                .findFirst().orElseThrow();
        assertEquals("Invalid user", rejected.rejectReason());
        // out and not in Braze: deleted
        s.writeMembers("c", List.of(members.get(1).withDesired(false, T), members.get(0).withDesired(false, T)));
        assertEquals(60, s.allMembers("c").size());
        assertFalse(s.allMembers("c").stream().filter(m -> m.ref().id().equals("u000")).findFirst().orElseThrow().desired());

        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            Membership.MemberPage page = s.members("c", after, 25);
            page.members().forEach(m -> seen.add(m.ref().storageKey()));
            after = page.nextKey();
        } while (after != null);
        assertEquals(60, seen.size());
        assertEquals(seen.stream().sorted().toList(), seen);
    }

    @Test
    void aliasMembersRoundTripInMembers() {
        Membership s = state().membership();
        List<Member> members = new ArrayList<>();
        int i = 0;
        for (MemberRef ref : hostileRefs()) {
            Member m = Member.joining(ref, T);
            members.add(switch (i++ % 3) {
                case 0 -> m.appliedAs("A", T);
                case 1 -> m.unconfirmed("A", T);
                default -> m.rejected("A", "Invalid user", T);
            });
        }
        s.writeMembers("a", members);
        assertEquals(Set.copyOf(members), Set.copyOf(s.allMembers("a")));

        List<Member> paged = new ArrayList<>();
        String after = null;
        do {
            Membership.MemberPage page = s.members("a", after, 7);
            paged.addAll(page.members());
            after = page.nextKey();
        } while (after != null);
        assertEquals(members.size(), paged.size(), "every member once");
        assertEquals(Set.copyOf(members), Set.copyOf(paged));

        // removal by alias: out and not in Braze deletes exactly that alias's item
        Member gone = members.get(1).appliedAs(null, T).withDesired(false, T);
        s.writeMembers("a", List.of(gone));
        assertEquals(members.size() - 1, s.allMembers("a").size());
        assertFalse(s.allMembers("a").stream().anyMatch(m -> m.ref().equals(gone.ref())));
    }
}
