package dev.currentsbridge.reliability.cohorts;

import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.fixtures.RandomCases;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded fault schedules for the cohort refresh, in process (in-memory store, Braze port with faults):
 * 429 storms with and without Retry-After, 5xx, timeouts and resets before and after Braze processed the request,
 * 401 (key rotated) in the middle of a run, per-object errors, whole-request 400s, and Lambda deadlines from 6 s to
 * 15 min. Each schedule: several rounds of random postbacks and refresh runs, then faults stop and the refresh
 * converges; {@link CohortWorld#checkInvariants} proves nothing was lost or applied twice and the ledger adds up.
 */
class RefreshFaultInjectionTest {

    static final FuzzStats STATS = new FuzzStats("cohort-refresh");
    private LogCapture capture;

    @BeforeEach
    void quiet() {
        capture = LogCapture.start();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    @Test
    void inProcessSchedules() {
        RandomCases.forAll("cohort refresh fault schedules (in process)", Tries.scaled(2000), 0x7EF7E5L, r -> {
            ManualClock clock = new ManualClock();
            FaultSchedule<ScheduledBraze.Fault> schedule = FaultSchedule.random(r, ScheduledBraze.Fault.class,
                    ScheduledBraze.Fault.NONE, r.nextDouble() * 0.8, 12);
            ScheduledBraze braze = new ScheduledBraze(schedule, CohortWorld.ATTRIBUTE, CohortWorld.badUsers(r, 40), "k",
                    clock::advance);
            CohortWorld world = new CohortWorld(r, clock, InMemoryCohortStore.create(), braze, braze.port());
            for (int round = 1 + r.nextInt(6); round > 0; round--) {
                world.round(STATS);
            }
            world.converge(STATS);
            long[] ledger = world.checkInvariants(true);
            STATS.count("schedules");
            STATS.add("postbacks", world.postbacks);
            STATS.add("braze requests", braze.requests());
            STATS.add("faults injected", schedule.history().stream().filter(f -> f != ScheduledBraze.Fault.NONE).count());
            STATS.add("runs stopped early (deadline, 401, outage)", world.stoppedEarly);
            STATS.add("changes applied", ledger[0]);
            STATS.add("changes rejected by Braze (with reason)", ledger[1]);
            STATS.add("changes pending after convergence", 0);
        });
    }
}
