package dev.currentsbridge.reliability.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.local.InMemoryCohortModel;
import dev.currentsbridge.standins.local.InMemoryCohortRegistry;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression for the second bug the DynamoDB fault schedules found: a run folded new members and wrote them, but
 * its final cohort update (counts) failed. The record still said "nothing pending", so later runs skipped the cohort
 * and its changes never reached Braze until Mixpanel sent another postback (never, for a one-time cohort).
 */
class LaggingCohortCountsTest {

    /** A store whose next cohort-record update fails, as a throttled UpdateItem would. */
    static final class FailingRecordStore extends InMemoryCohortRegistry {
        boolean failNextRecord;

        FailingRecordStore(InMemoryCohortModel model) {
            super(model);
        }

        @Override
        public void recordRefresh(String cohortId, RefreshOutcome outcome) {
            if (failNextRecord) {
                failNextRecord = false;
                throw new IllegalStateException("ProvisionedThroughputExceeded (injected)");
            }
            super.recordRefresh(cohortId, outcome);
        }
    }

    @Test
    void changesWrittenWithoutTheirCountsStillReachBraze() {
        ManualClock clock = new ManualClock();
        InMemoryCohortModel model = new InMemoryCohortModel();
        FailingRecordStore registry = new FailingRecordStore(model);
        CohortState memory = InMemoryCohortStore.over(model);
        CohortState store = new CohortState(registry, memory.postbacks(), memory.membership(), memory.keys());
        FaultSchedule<ScheduledBraze.Fault> throttled = FaultSchedule.always(ScheduledBraze.Fault.class,
                ScheduledBraze.Fault.NONE, ScheduledBraze.Fault.THROTTLE_NO_HEADER);
        throttled.stop();
        ScheduledBraze braze = new ScheduledBraze(throttled, "Mixpanel_Cohorts", Set.of(), "k", clock::advance);
        Env env = Env.of(Map.of("TABLE_NAME", "unused"));
        CohortApiHandler api = new CohortApiHandler(store, env, clock);
        CohortRefreshHandler refresh = new CohortRefreshHandler(store, braze.port(), env, clock, clock.sleeper());
        String key = new KeyAdmin(store.keys(), clock).create("t").secret();
        Runnable run = () -> {
            clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
            refresh.handleRequest(new ScheduledEvent(), clock.contextWith(Duration.ofSeconds(20)));
            clock.advance(Duration.ofMinutes(15));
        };
        add(api, key, "u0");
        run.run(); // u0 applied, the cohort settled
        add(api, key, "u1");
        throttled.resume(); // Braze throttles: u1 stays pending...
        registry.failNextRecord = true; // ...and the counts saying so are not written
        run.run();
        throttled.stop();
        run.run();
        run.run();
        assertEquals(Map.of("external_id:u0", Set.of("Power users"), "external_id:u1", Set.of("Power users")), braze.state());
        Cohort c = store.registry().findCohort("c1").orElseThrow();
        assertEquals(2, c.memberCount());
        assertEquals(0, c.pendingCount());
    }

    private static void add(CohortApiHandler api, String key, String user) {
        String body = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"c1\",\"mixpanel_cohort_name\":"
                + "\"Power users\",\"mixpanel_session_id\":\"" + user + "\",\"members\":[{\"mixpanel_distinct_id\":\"" + user + "\"}]}}";
        assertEquals(200, api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", body,
                Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key))), null).getStatusCode());
    }
}
