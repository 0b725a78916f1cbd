package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortStore;
import dev.currentsbridge.standins.aws.Dynalite;

/** The same contract against DynamoDB (dynalite, real SDK client): a fresh table per test. */
class DynamoCohortStoreTest extends CohortStoreContract {
    @Override
    CohortStore store() {
        var client = Dynalite.shared().client();
        return CohortStores.dynamo(client, Dynalite.shared().newCohortTable(client));
    }
}
