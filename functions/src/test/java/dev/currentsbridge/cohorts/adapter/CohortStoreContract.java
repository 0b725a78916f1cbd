package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.CohortStore;
import dev.currentsbridge.cohorts.port.CohortStore.PageReceipt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The semantics both the embedded store and the DynamoDB store must share. */
abstract class CohortStoreContract {

    static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

    abstract CohortStore store();

    private static SessionPage page(String session, int index, int total, Instant at, String... ids) {
        return new SessionPage("c", session, index, total, List.of(ids).stream().map(MemberRef::externalId).toList(),
                at, at.plus(Duration.ofDays(3)));
    }

    @Test
    void cohortUpsertKeepsUnsentFieldsAndSyncMode() {
        CohortStore s = store();
        s.upsertCohort(new CohortUpsert("c", "Name", "desc", "p1", T), SyncMode.ONE_TIME);
        s.upsertCohort(new CohortUpsert("c", null, null, null, T.plusSeconds(5)), SyncMode.DYNAMIC);
        var c = s.findCohort("c").orElseThrow();
        assertEquals("Name", c.name());
        assertEquals("desc", c.description());
        assertEquals("p1", c.projectId());
        assertEquals(SyncMode.ONE_TIME, c.syncMode());
        assertEquals(T.plusSeconds(5), c.lastPostbackAt());
        assertEquals(T, c.createdAt());
        assertEquals(CohortStatus.ACTIVE, c.status());
    }

    @Test
    void refreshOutcomeAddsDataPointsAndAppliedNeedsNoLaterPostback() {
        CohortStore s = store();
        s.upsertCohort(new CohortUpsert("c", "N", null, null, T), SyncMode.ONE_TIME);
        s.recordRefresh("c", new CohortStore.RefreshOutcome(T.plusSeconds(1), 3, 0, CohortStatus.APPLIED, "N", 3, null));
        s.recordRefresh("c", new CohortStore.RefreshOutcome(T.plusSeconds(2), 3, 0, CohortStatus.APPLIED, "N", 2, null));
        var c = s.findCohort("c").orElseThrow();
        assertEquals(5, c.dataPoints());
        assertEquals(CohortStatus.APPLIED, c.status());
        s.upsertCohort(new CohortUpsert("c", null, null, null, T.plusSeconds(10)), SyncMode.DYNAMIC);
        // a run that started before that postback must not mark the cohort applied again
        s.recordRefresh("c", new CohortStore.RefreshOutcome(T.plusSeconds(9), 3, 0, CohortStatus.APPLIED, "N", 0, "x"));
        assertEquals(CohortStatus.ACTIVE, s.findCohort("c").orElseThrow().status());
        assertEquals("x", s.findCohort("c").orElseThrow().lastError());
        s.recordRefresh("c", new CohortStore.RefreshOutcome(T.plusSeconds(9), 3, 0, CohortStatus.STALE, "N", 0, null));
        assertEquals(CohortStatus.ACTIVE, s.findCohort("c").orElseThrow().status());
        s.recordRefresh("c", new CohortStore.RefreshOutcome(T.plusSeconds(11), 3, 0, CohortStatus.STALE, "N", 0, null));
        assertEquals(CohortStatus.STALE, s.findCohort("c").orElseThrow().status());
    }

    @Test
    void leaseIsExclusiveUntilReleasedOrExpired() {
        CohortStore s = store();
        assertFalse(s.acquireLease("c", T, T.plusSeconds(60)), "no cohort, no lease");
        s.upsertCohort(new CohortUpsert("c", "N", null, null, T), SyncMode.DYNAMIC);
        assertTrue(s.acquireLease("c", T, T.plusSeconds(60)));
        assertFalse(s.acquireLease("c", T.plusSeconds(30), T.plusSeconds(90)));
        assertTrue(s.acquireLease("c", T.plusSeconds(61), T.plusSeconds(120)), "expired lease");
        s.releaseLease("c");
        assertTrue(s.acquireLease("c", T.plusSeconds(62), T.plusSeconds(120)));
        s.setFoldedThrough("c", T.plusSeconds(3));
        assertEquals(T.plusSeconds(3), s.foldedThrough("c").orElseThrow());
    }

    @Test
    void changeBatchesAreStoredOncePerKeyUntilExpiry() {
        CohortStore s = store();
        var batch = new ChangeBatch("c", "k1", true, List.of(MemberRef.externalId("a")), T, T.plusSeconds(600));
        assertTrue(s.recordChange(batch, T));
        assertFalse(s.recordChange(new ChangeBatch("c", "k1", true, List.of(MemberRef.externalId("a")), T.plusSeconds(1),
                T.plusSeconds(601)), T.plusSeconds(1)));
        assertEquals(List.of(batch), s.unfoldedChanges("c"));
        s.markFolded("c", List.of("k1"));
        assertTrue(s.unfoldedChanges("c").isEmpty());
        assertFalse(s.recordChange(batch, T.plusSeconds(2)), "folded but not expired: still a duplicate");
        assertTrue(s.recordChange(new ChangeBatch("c", "k1", true, List.of(MemberRef.externalId("a")), T.plusSeconds(700),
                T.plusSeconds(1300)), T.plusSeconds(700)), "after expiry the same content is a new change");
        assertEquals(1, s.unfoldedChanges("c").size());
    }

    @Test
    void pagesAreIdempotentAndCheckedAgainstTheSession() {
        CohortStore s = store();
        Instant exp = T.plus(Duration.ofDays(3));
        assertEquals(PageReceipt.STORED, s.recordPage(page("s", 2, 2, T, "b"), exp, T));
        assertEquals(PageReceipt.DUPLICATE, s.recordPage(page("s", 2, 2, T.plusSeconds(1), "b"), exp, T.plusSeconds(1)));
        assertEquals(PageReceipt.CONFLICT, s.recordPage(page("s", 1, 3, T, "a"), exp, T));
        assertEquals(PageReceipt.STORED, s.recordPage(page("s", 1, 2, T.plusSeconds(2), "a", "a2"), exp, T.plusSeconds(2)));
        List<SyncSession> open = s.openSessions("c");
        assertEquals(1, open.size());
        assertEquals(2, open.get(0).totalPages());
        List<SessionPage> pages = s.sessionPages("c", "s");
        assertEquals(2, pages.size());
        assertEquals(T, pages.stream().filter(p -> p.pageIndex() == 2).findFirst().orElseThrow().receivedAt(),
                "a re-sent page keeps its first arrival time");
        s.closeSession("c", "s", SyncSession.Status.FINALISED);
        assertTrue(s.openSessions("c").isEmpty());
        assertEquals(PageReceipt.CLOSED, s.recordPage(page("s", 1, 2, T.plusSeconds(3), "a"), exp, T.plusSeconds(3)));
        // after the session's expiry the same id starts a new session
        Instant later = exp.plusSeconds(1);
        assertEquals(PageReceipt.STORED, s.recordPage(page("s", 1, 1, later, "z"), later.plus(Duration.ofDays(3)), later));
        assertEquals(1, s.openSessions("c").size());
    }

    @Test
    void membersArePutDeletedAndPagedInKeyOrder() {
        CohortStore s = store();
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
            CohortStore.MemberPage page = s.members("c", after, 25);
            page.members().forEach(m -> seen.add(m.ref().storageKey()));
            after = page.nextKey();
        } while (after != null);
        assertEquals(60, seen.size());
        assertEquals(seen.stream().sorted().toList(), seen);
    }

    /** Valid Unicode (stores hold UTF-8) that is hostile to key formats: separators, digits, controls, NUL, emoji. */
    private static String hostileText(Random r) {
        String[] pieces = {"#", ":", "1", "0", "12:", "member#", "alias#", "ext#", "\u0000", "\n", "\t", "\u007f", "é",
            "\u4e2d", "\uD83D\uDE00", "\uFFFD", " ", "\"", "\\", "a", "b"};
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append(pieces[r.nextInt(pieces.length)]);
        }
        return sb.toString();
    }

    @Test
    void aliasMembersRoundTripInMembersChangesAndPages() {
        CohortStore s = store();
        Random r = new Random(0xA11A5L);
        Set<MemberRef> refs = new LinkedHashSet<>(List.of(MemberRef.alias("c", "a#b"), MemberRef.alias("b#c", "a"),
                MemberRef.alias("u1", "ext"), MemberRef.externalId("u1"), MemberRef.externalId("alias#1:ab")));
        while (refs.size() < 60) {
            refs.add(MemberRef.alias(hostileText(r), hostileText(r)));
        }
        List<Member> members = new ArrayList<>();
        int i = 0;
        for (MemberRef ref : refs) {
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
            CohortStore.MemberPage page = s.members("a", after, 7);
            paged.addAll(page.members());
            after = page.nextKey();
        } while (after != null);
        assertEquals(members.size(), paged.size(), "every member once");
        assertEquals(Set.copyOf(members), Set.copyOf(paged));

        List<MemberRef> list = List.copyOf(refs);
        var batch = new ChangeBatch("a", "k-alias", false, list, T, T.plusSeconds(600));
        assertTrue(s.recordChange(batch, T));
        assertEquals(List.of(batch), s.unfoldedChanges("a"));
        var page = new SessionPage("a", "s", 1, 1, list, T, T.plus(Duration.ofDays(3)));
        assertEquals(PageReceipt.STORED, s.recordPage(page, T.plus(Duration.ofDays(3)), T));
        assertEquals(list, s.sessionPages("a", "s").get(0).members());

        // removal by alias: out and not in Braze deletes exactly that alias's item
        Member gone = members.get(1).appliedAs(null, T).withDesired(false, T);
        s.writeMembers("a", List.of(gone));
        assertEquals(members.size() - 1, s.allMembers("a").size());
        assertFalse(s.allMembers("a").stream().anyMatch(m -> m.ref().equals(gone.ref())));
    }

    @Test
    void keysAreCreatedOnceAndRevokedOnce() {
        CohortStore s = store();
        var k = new dev.currentsbridge.cohorts.model.KeyRecord("abc", "l", "00".repeat(32), T, null, null);
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
