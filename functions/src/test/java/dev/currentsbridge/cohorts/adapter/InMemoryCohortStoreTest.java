package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import org.junit.jupiter.api.Nested;

/** The port contracts on the in-memory state. */
class InMemoryCohortStoreTest {

    @Nested
    class Registry extends CohortRegistryContract {
        @Override
        CohortState state() {
            return InMemoryCohortStore.create();
        }
    }

    @Nested
    class Postbacks extends PostbackLogContract {
        @Override
        CohortState state() {
            return InMemoryCohortStore.create();
        }
    }

    @Nested
    class Members extends MembershipContract {
        @Override
        CohortState state() {
            return InMemoryCohortStore.create();
        }
    }

    @Nested
    class Keys extends KeyStoreContract {
        @Override
        CohortState state() {
            return InMemoryCohortStore.create();
        }
    }
}
