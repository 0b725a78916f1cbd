package dev.currentsbridge.export.domain.redelivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The redelivery schedule and the budget arithmetic docs/RELIABILITY.md quotes. */
class RetryBudgetTest {

    private final RetryBudget budget = RetryBudget.of(RetryBudget.QUEUE_MAX_RECEIVES);

    @Test
    void transientDelaysDoubleFromFiveMinutesUpToTheCap() {
        assertEquals(Duration.ofMinutes(5), budget.delay(1, RetryCause.TRANSIENT));
        assertEquals(Duration.ofMinutes(10), budget.delay(2, RetryCause.TRANSIENT));
        assertEquals(Duration.ofMinutes(640), budget.delay(8, RetryCause.TRANSIENT));
        assertEquals(RetryBudget.MAX_DELAY, budget.delay(9, RetryCause.TRANSIENT));
        assertEquals(RetryBudget.MAX_DELAY, budget.delay(1000, RetryCause.TRANSIENT));
        assertEquals(Duration.ofMinutes(5), budget.delay(0, RetryCause.TRANSIENT), "unknown count: first receive");
    }

    @Test
    void configurationErrorsStartOnTheSlowClock() {
        assertEquals(Duration.ofHours(1), budget.delay(1, RetryCause.CONFIGURATION));
        assertEquals(Duration.ofHours(8), budget.delay(4, RetryCause.CONFIGURATION));
        assertEquals(RetryBudget.MAX_DELAY, budget.delay(5, RetryCause.CONFIGURATION));
        for (int r = 1; r < 40; r++) {
            assertTrue(budget.delay(r, RetryCause.CONFIGURATION).compareTo(budget.delay(r, RetryCause.TRANSIENT)) >= 0);
        }
    }

    @Test
    void noDelayReachesSqsTwelveHourCeilingEvenAfterAWholeInvocation() {
        Duration invocationAndBatchingWindow = Duration.ofSeconds(125);
        for (int r = 1; r < 40; r++) {
            for (RetryCause c : RetryCause.values()) {
                assertTrue(budget.delay(r, c).plus(invocationAndBatchingWindow).compareTo(Duration.ofHours(12)) <= 0);
            }
        }
    }

    @Test
    void theBudgetOutlastsASeventyTwoHourOutageAndFitsTheRetention() {
        assertEquals(Duration.ofMinutes(104 * 60 + 5), budget.span(RetryCause.TRANSIENT));
        assertEquals(Duration.ofMinutes(145 * 60 + 10), budget.span(RetryCause.CONFIGURATION));
        assertTrue(budget.span(RetryCause.TRANSIENT).compareTo(RetryBudget.DESIGN_OUTAGE) > 0);
        assertTrue(budget.span(RetryCause.CONFIGURATION).plus(Duration.ofDays(7))
                .compareTo(RetryBudget.QUEUE_RETENTION) < 0, "a week of backlog still fits the retention");
        assertTrue(RetryBudget.of(5).span(RetryCause.TRANSIENT).compareTo(Duration.ofHours(3)) < 0,
                "the old budget (5 receives) did not survive a few hours");
    }

    @Test
    void onlyTheLastAllowedReceiveGivesUp() {
        assertFalse(budget.lastReceive(15));
        assertTrue(budget.lastReceive(16));
        assertTrue(budget.lastReceive(17));
        assertFalse(RetryBudget.unlimited().lastReceive(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> RetryBudget.of(1001));
    }

    @Test
    void aMessageItsNextDelayWouldTakePastTheRetentionIsGivenUpNow() {
        RetryBudget guarded = RetryBudget.of(RetryBudget.QUEUE_MAX_RECEIVES, RetryBudget.QUEUE_RETENTION);
        Duration limit = RetryBudget.QUEUE_RETENTION.minus(RetryBudget.RETENTION_MARGIN);
        // Receive 1: the longer schedule's delay is the configuration clock's 1 hour.
        assertTrue(guarded.outlivesRetention(1, limit.minusHours(1).minusSeconds(1)));
        assertFalse(guarded.outlivesRetention(1, limit.minusHours(1)));
        assertTrue(guarded.givesUp(1, limit.minusHours(1)), "given up on its first receive, for its age");
        // Receive 9: the capped delay.
        assertTrue(guarded.outlivesRetention(9, limit.minus(RetryBudget.MAX_DELAY).minusSeconds(1)));
        assertFalse(guarded.outlivesRetention(9, limit.minus(RetryBudget.MAX_DELAY)));
        assertFalse(guarded.givesUp(3, Duration.ofDays(3)), "young enough, receives left: returned");
        assertTrue(guarded.givesUp(16, Duration.ZERO), "the last receive still gives up");
        // Without a known retention (or age) nothing is given up for its age.
        assertFalse(budget.givesUp(1, Duration.ofDays(400)));
        assertFalse(RetryBudget.unlimited().givesUp(1, Duration.ofDays(400)));
        assertTrue(RetryBudget.of(0, RetryBudget.QUEUE_RETENTION).givesUp(1, Duration.ofDays(13)),
                "the guard works without a receive limit");
        assertThrows(IllegalArgumentException.class, () -> RetryBudget.of(16, Duration.ofSeconds(-1)));
    }

    @Test
    void causesAreReadFromTheRetryReasons() {
        assertEquals(RetryCause.CONFIGURATION, RetryCause.of("mixpanel_401"));
        assertEquals(RetryCause.CONFIGURATION, RetryCause.of("mixpanel_403"));
        assertEquals(RetryCause.CONFIGURATION, RetryCause.of("mixpanel_credentials_invalid"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("mixpanel_429"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("mixpanel_503"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("mixpanel_unreachable"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("mixpanel_credentials_unavailable"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("s3_unavailable"));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of("deadline"));
        assertEquals(RetryCause.CONFIGURATION, RetryCause.of(List.of("mixpanel_503", "mixpanel_401")));
        assertEquals(RetryCause.TRANSIENT, RetryCause.of(List.of()));
    }
}
