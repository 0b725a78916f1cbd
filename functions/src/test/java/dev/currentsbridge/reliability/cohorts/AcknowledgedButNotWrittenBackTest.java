package dev.currentsbridge.reliability.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 (was a known limitation in docs/RELIABILITY.md): Braze acknowledged a change, then the member write-back
 * failed; if Mixpanel removed the user (or the cohort was renamed) before the next run, the value stayed in Braze.
 * The write-ahead (members written unconfirmed before the request) closes the gap.
 */
class AcknowledgedButNotWrittenBackTest {

    private final ManualClock clock = new ManualClock();
    private final CohortState real = InMemoryCohortStore.create();
    /** Fails the write-back after Braze answered, once: the second member write of a run (the first is the write-ahead). */
    private final FailingWriteBack membership = new FailingWriteBack(real.membership());
    private final CohortState store = new CohortState(real.registry(), real.postbacks(), membership, real.keys());
    private final ScheduledBraze braze = new ScheduledBraze(FaultSchedule.healthy(ScheduledBraze.Fault.class, ScheduledBraze.Fault.NONE),
            "Mixpanel_Cohorts", Set.of(), "k", clock::advance);
    private final Env env = Env.of(Map.of("TABLE_NAME", "unused"));
    private final CohortApiHandler api = new CohortApiHandler(store, env, clock);
    private final CohortRefreshHandler refresh = new CohortRefreshHandler(store, braze.port(), env, clock, clock.sleeper());
    private final String key = new KeyAdmin(store.keys(), clock).create("t").secret();

    @Test
    void aUserWhoLeavesAfterAnAcknowledgedButUnrecordedAddIsRemovedFromBraze() {
        webhook("add_members", "Power users", "s1");
        membership.failWrite = 2;
        runRefresh();
        assertEquals(Map.of("external_id:u1", Set.of("Power users")), braze.state(), "Braze applied and acknowledged");
        assertEquals(0, membership.failWrite, "the write-back failed");
        webhook("remove_members", "Power users", "s2");
        runRefresh();
        assertEquals(Map.of(), braze.state(), "the removal was sent although the add was never recorded as applied");
        assertTrue(real.membership().allMembers("c1").isEmpty(), "nothing left to track");
    }

    @Test
    void aRenameAfterAnAcknowledgedButUnrecordedAddRemovesTheOldName() {
        webhook("add_members", "Power users", "s1");
        membership.failWrite = 2;
        runRefresh();
        webhook("add_members", "Super users", "s2");
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

    /** A membership whose n-th member write (counting down {@code failWrite}) throws, as a throttled DynamoDB would. */
    private static final class FailingWriteBack implements Membership {
        private final Membership delegate;
        int failWrite;

        FailingWriteBack(Membership delegate) {
            this.delegate = delegate;
        }

        @Override
        public void writeMembers(String cohortId, Collection<Member> members) {
            if (failWrite > 0 && --failWrite == 0) {
                throw new IllegalStateException("ProvisionedThroughputExceededException (injected)");
            }
            delegate.writeMembers(cohortId, members);
        }

        @Override
        public boolean acquireLease(String cohortId, Instant now, Instant until) {
            return delegate.acquireLease(cohortId, now, until);
        }

        @Override
        public void releaseLease(String cohortId) {
            delegate.releaseLease(cohortId);
        }

        @Override
        public Optional<Instant> foldedThrough(String cohortId) {
            return delegate.foldedThrough(cohortId);
        }

        @Override
        public void setFoldedThrough(String cohortId, Instant through) {
            delegate.setFoldedThrough(cohortId, through);
        }

        @Override
        public List<Member> allMembers(String cohortId) {
            return delegate.allMembers(cohortId);
        }

        @Override
        public MemberPage members(String cohortId, String afterKey, int limit) {
            return delegate.members(cohortId, afterKey, limit);
        }
    }
}
