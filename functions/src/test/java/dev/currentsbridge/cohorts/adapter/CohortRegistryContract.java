package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import org.junit.jupiter.api.Test;

/** What every {@link CohortRegistry} must do. */
abstract class CohortRegistryContract extends CohortStateContract {

    @Test
    void cohortUpsertKeepsUnsentFieldsAndSyncMode() {
        CohortRegistry s = state().registry();
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
        CohortRegistry s = state().registry();
        s.upsertCohort(new CohortUpsert("c", "N", null, null, T), SyncMode.ONE_TIME);
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(1), 3, 0, CohortStatus.APPLIED, "N", 3, null, 0, 0, 0, false));
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(2), 3, 0, CohortStatus.APPLIED, "N", 2, null, 0, 0, 0, false));
        var c = s.findCohort("c").orElseThrow();
        assertEquals(5, c.dataPoints());
        assertEquals(CohortStatus.APPLIED, c.status());
        s.upsertCohort(new CohortUpsert("c", null, null, null, T.plusSeconds(10)), SyncMode.DYNAMIC);
        // a run that started before that postback must not mark the cohort applied again
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(9), 3, 0, CohortStatus.APPLIED, "N", 0, "x", 0, 0, 0, false));
        assertEquals(CohortStatus.ACTIVE, s.findCohort("c").orElseThrow().status());
        assertEquals("x", s.findCohort("c").orElseThrow().lastError());
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(9), 3, 0, CohortStatus.STALE, "N", 0, null, 0, 0, 0, false));
        assertEquals(CohortStatus.ACTIVE, s.findCohort("c").orElseThrow().status());
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(11), 3, 0, CohortStatus.STALE, "N", 0, null, 0, 0, 0, false));
        assertEquals(CohortStatus.STALE, s.findCohort("c").orElseThrow().status());
    }

    @Test
    void refreshHealthCountsAndTheRemovalConfirmation() {
        CohortRegistry s = state().registry();
        s.upsertCohort(new CohortUpsert("c", "N", null, null, T), SyncMode.DYNAMIC);
        assertFalse(s.confirmRemovals("nope"));
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(1), 200, 0, CohortStatus.ACTIVE, "N", 0,
                null, 3, 2, 190, false));
        var held = s.findCohort("c").orElseThrow();
        assertEquals(3, held.unmatchedCount());
        assertEquals(2, held.overArrayCap());
        assertEquals(190, held.heldRemovals());
        assertEquals(CohortStatus.HELD, held.effectiveStatus());
        assertFalse(held.removalsConfirmed());
        assertTrue(s.confirmRemovals("c"));
        assertTrue(s.findCohort("c").orElseThrow().removalsConfirmed());
        // a postback does not lift the hold; only a refresh does
        s.upsertCohort(new CohortUpsert("c", null, null, null, T.plusSeconds(2)), SyncMode.DYNAMIC);
        assertEquals(CohortStatus.HELD, s.findCohort("c").orElseThrow().effectiveStatus());
        assertTrue(s.findCohort("c").orElseThrow().removalsConfirmed());
        s.recordRefresh("c", new CohortRegistry.RefreshOutcome(T.plusSeconds(3), 10, 0, CohortStatus.ACTIVE, "N", 190,
                null, 0, 0, 0, true));
        var applied = s.findCohort("c").orElseThrow();
        assertEquals(CohortStatus.ACTIVE, applied.effectiveStatus());
        assertFalse(applied.removalsConfirmed());
        assertEquals(0, applied.heldRemovals());
    }
}
