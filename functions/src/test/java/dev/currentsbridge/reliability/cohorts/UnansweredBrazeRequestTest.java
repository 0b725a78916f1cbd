package dev.currentsbridge.reliability.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression for the bug the refresh fault schedules found: Braze applied a request whose answer never arrived
 * (timeout or reset after processing); the run gave up with the change pending; Mixpanel then removed the user (or
 * the cohort was renamed) before the next run, and the bridge, believing Braze held nothing, deleted the member
 * without sending the removal. The user kept the cohort in Braze for good.
 */
class UnansweredBrazeRequestTest {

    private final ManualClock clock = new ManualClock();
    private final CohortState store = InMemoryCohortStore.create();
    private final FaultSchedule<ScheduledBraze.Fault> schedule = FaultSchedule.always(ScheduledBraze.Fault.class,
            ScheduledBraze.Fault.NONE, ScheduledBraze.Fault.SLOW_AFTER);
    private final ScheduledBraze braze = new ScheduledBraze(schedule, "Mixpanel_Cohorts", Set.of(), "k", clock::advance);
    private final Env env = Env.of(Map.of("TABLE_NAME", "unused"));
    private final CohortApiHandler api = new CohortApiHandler(store, env, clock);
    private final CohortRefreshHandler refresh = new CohortRefreshHandler(store, braze.port(), env, clock, clock.sleeper());
    private final String key = new KeyAdmin(store.keys(), clock).create("t").secret();

    @Test
    void aUserWhoLeavesAfterAnUnansweredAddIsRemovedFromBraze() {
        webhook("add_members", "Power users", "s1");
        runRefresh();
        assertEquals(Map.of("external_id:u1", Set.of("Power users")), braze.state(), "Braze applied it, unanswered");
        webhook("remove_members", "Power users", "s2");
        schedule.stop();
        runRefresh();
        assertEquals(Map.of(), braze.state(), "the removal was sent although no add was ever acknowledged");
        assertTrue(store.membership().allMembers("c1").isEmpty(), "nothing left to track");
    }

    @Test
    void aRenameAfterAnUnansweredAddRemovesTheOldName() {
        webhook("add_members", "Power users", "s1");
        runRefresh();
        webhook("add_members", "Super users", "s2");
        schedule.stop();
        runRefresh();
        assertEquals(Map.of("external_id:u1", Set.of("Super users")), braze.state());
    }

    private void webhook(String action, String name, String session) {
        String body = "{\"action\":\"" + action + "\",\"parameters\":{\"mixpanel_cohort_id\":\"c1\",\"mixpanel_cohort_name\":\""
                + name + "\",\"mixpanel_session_id\":\"" + session + "\",\"members\":[{\"mixpanel_distinct_id\":\"u1\"}]}}";
        assertEquals(200, api.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook", body,
                Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key))), null).getStatusCode());
    }

    private void runRefresh() {
        clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
        refresh.handleRequest(new ScheduledEvent(), clock.contextWith(Duration.ofMinutes(5)));
        clock.advance(Duration.ofMinutes(15));
    }
}
