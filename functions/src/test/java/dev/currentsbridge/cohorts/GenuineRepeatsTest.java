package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Sessionless changes (Mixpanel add/remove without a session id, the Braze partner shape) are deduped by the
 * cohort's postback sequence, not by content: a re-send of the latest postback changes nothing, but a user who is
 * added, removed and added again within minutes ends up in the cohort (content dedupe dropped the second add).
 */
class GenuineRepeatsTest {

    @Test
    void addRemoveAddInMemory() {
        addRemoveAdd(CohortHarness::inMemory);
    }

    @Test
    void addRemoveAddOnDynalite() {
        addRemoveAdd(CohortHarness::dynalite);
    }

    private void addRemoveAdd(Supplier<CohortHarness> harness) {
        try (CohortHarness h = harness.get()) {
            String add = CohortHarness.webhookBody("add_members", "5", "Five", null, 1, 1, List.of("u1", "u2"));
            String remove = CohortHarness.webhookBody("remove_members", "5", "Five", null, 1, 1, List.of("u1", "u2"));
            h.webhook(add);
            h.webhook(add); // Mixpanel's retry: a duplicate
            h.clock.advance(Duration.ofMinutes(1));
            h.webhook(remove);
            h.clock.advance(Duration.ofMinutes(1));
            h.webhook(add); // genuine: the users came back
            h.webhook(add); // and its retry
            assertEquals(3, h.store.postbacks().unfoldedChanges("5").size(), "three changes, the two retries dropped");
            h.runRefresh();
            assertEquals(Set.of("Five"), h.braze.values("external_id:u1", CohortHarness.ATTRIBUTE));
            assertEquals(Set.of("Five"), h.braze.values("external_id:u2", CohortHarness.ATTRIBUTE));

            // the partner shape: add, remove, add again within the old 10-minute window
            String partner = "{\"client_secret\":\"" + h.key + "\",\"cohort_id\":\"6\",\"cohort_changes\":"
                    + "[{\"user_ids\":[\"u3\"],\"should_remove\":%s}]}";
            h.partner("/partners/mixpanel/cohorts/users", partner.formatted("false"));
            h.partner("/partners/mixpanel/cohorts/users", partner.formatted("true"));
            h.partner("/partners/mixpanel/cohorts/users", partner.formatted("true")); // a re-send
            h.partner("/partners/mixpanel/cohorts/users", partner.formatted("false"));
            assertEquals(3, h.store.postbacks().unfoldedChanges("6").size());
            h.runRefresh();
            assertEquals(Set.of("6"), h.braze.values("external_id:u3", CohortHarness.ATTRIBUTE));
        }
    }
}
