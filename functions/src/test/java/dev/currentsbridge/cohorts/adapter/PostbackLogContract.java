package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.PostbackLog.PageReceipt;
import dev.currentsbridge.cohorts.port.PostbackLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link PostbackLog} must do. */
abstract class PostbackLogContract extends CohortStateContract {

    private static SessionPage page(String session, int index, int total, Instant at, String... ids) {
        return new SessionPage("c", session, index, total, List.of(ids).stream().map(MemberRef::externalId).toList(),
                at, at.plus(Duration.ofDays(3)));
    }

    @Test
    void changeBatchesAreStoredOncePerKeyUntilExpiry() {
        PostbackLog s = state().postbacks();
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
        PostbackLog s = state().postbacks();
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
    void aliasMembersRoundTripInChangesAndPages() {
        PostbackLog s = state().postbacks();
        List<MemberRef> list = hostileRefs();
        var batch = new ChangeBatch("a", "k-alias", false, list, T, T.plusSeconds(600));
        assertTrue(s.recordChange(batch, T));
        assertEquals(List.of(batch), s.unfoldedChanges("a"));
        var page = new SessionPage("a", "s", 1, 1, list, T, T.plus(Duration.ofDays(3)));
        assertEquals(PageReceipt.STORED, s.recordPage(page, T.plus(Duration.ofDays(3)), T));
        assertEquals(list, s.sessionPages("a", "s").get(0).members());
    }
}
