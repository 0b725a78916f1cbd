package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.standins.aws.Dynalite;
import org.junit.jupiter.api.Nested;

/** The port contracts on DynamoDB (dynalite, real SDK client): a fresh table per test. */
class DynamoCohortStoreTest {

    static CohortState freshTable() {
        var client = Dynalite.shared().client();
        return CohortStores.dynamo(client, Dynalite.shared().newCohortTable(client));
    }

    @Nested
    class Registry extends CohortRegistryContract {
        @Override
        CohortState state() {
            return freshTable();
        }
    }

    @Nested
    class Postbacks extends PostbackLogContract {
        @Override
        CohortState state() {
            return freshTable();
        }
    }

    @Nested
    class Members extends MembershipContract {
        @Override
        CohortState state() {
            return freshTable();
        }
    }

    @Nested
    class Keys extends KeyStoreContract {
        @Override
        CohortState state() {
            return freshTable();
        }
    }
}
