package dev.currentsbridge.reliability.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression for the bug the DynamoDB fault schedules found after issue 13's merge: a refresh whose read of a
 * cohort's members failed (a throttled Query) still wrote the cohort back from the empty member map it had started
 * to fill: 0 members, 0 pending, value applied. Later runs trusted that record, never read the members again, and
 * their pending changes never reached Braze.
 */
class FailedMemberReadTest {

    /** Membership whose next member read fails, as a throttled Query would; everything else passes through. */
    static final class FailingReadMembership implements Membership {
        private final Membership inner;
        boolean failNextRead;

        FailingReadMembership(Membership inner) {
            this.inner = inner;
        }

        @Override
        public boolean acquireLease(String cohortId, Instant now, Instant until) {
            return inner.acquireLease(cohortId, now, until);
        }

        @Override
        public void releaseLease(String cohortId) {
            inner.releaseLease(cohortId);
        }

        @Override
        public Optional<Instant> foldedThrough(String cohortId) {
            return inner.foldedThrough(cohortId);
        }

        @Override
        public void setFoldedThrough(String cohortId, Instant through) {
            inner.setFoldedThrough(cohortId, through);
        }

        @Override
        public List<Member> allMembers(String cohortId) {
            if (failNextRead) {
                failNextRead = false;
                throw new IllegalStateException("ProvisionedThroughputExceeded (injected)");
            }
            return inner.allMembers(cohortId);
        }

        @Override
        public MemberPage members(String cohortId, String afterKey, int limit) {
            return inner.members(cohortId, afterKey, limit);
        }

        @Override
        public void writeMembers(String cohortId, Collection<Member> members) {
            inner.writeMembers(cohortId, members);
        }
    }

    @Test
    void pendingChangesSurviveAFailedMemberRead() {
        ManualClock clock = new ManualClock();
        CohortState memory = InMemoryCohortStore.create();
        FailingReadMembership membership = new FailingReadMembership(memory.membership());
        CohortState store = new CohortState(memory.registry(), memory.postbacks(), membership, memory.keys());
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
        add(api, key, "u1");
        throttled.resume(); // Braze throttles: u0 and u1 are folded and stay pending
        run.run();
        throttled.stop();
        assertEquals(2, store.registry().findCohort("c1").orElseThrow().pendingCount());
        membership.failNextRead = true; // the next run cannot read the members: the invocation fails
        clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
        assertThrows(IllegalStateException.class,
                () -> refresh.handleRequest(new ScheduledEvent(), clock.contextWith(Duration.ofSeconds(20))));
        Cohort afterFailure = store.registry().findCohort("c1").orElseThrow();
        assertEquals(2, afterFailure.memberCount(), "a failed read must not record the cohort as empty");
        assertEquals(2, afterFailure.pendingCount());
        clock.advance(Duration.ofMinutes(15));
        run.run(); // the lease was released: the next run reads the members and sends them
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
