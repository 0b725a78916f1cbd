package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.standins.local.FileCohortStore;
import org.junit.jupiter.api.Nested;

/** The port contracts on the file store (one open instance per test; reopening is {@link FileCohortStoreTest}). */
class FileCohortStoreContractTest {

    @Nested
    class Registry extends CohortRegistryContract {
        @Override
        CohortState state() {
            return FileCohortStore.open(dir);
        }
    }

    @Nested
    class Postbacks extends PostbackLogContract {
        @Override
        CohortState state() {
            return FileCohortStore.open(dir);
        }
    }

    @Nested
    class Members extends MembershipContract {
        @Override
        CohortState state() {
            return FileCohortStore.open(dir);
        }
    }

    @Nested
    class Keys extends KeyStoreContract {
        @Override
        CohortState state() {
            return FileCohortStore.open(dir);
        }
    }
}
