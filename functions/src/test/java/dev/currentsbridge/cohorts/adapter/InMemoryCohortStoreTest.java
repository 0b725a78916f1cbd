package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.standins.local.InMemoryCohortStore;

import dev.currentsbridge.cohorts.port.CohortStore;

class InMemoryCohortStoreTest extends CohortStoreContract {
    @Override
    CohortStore store() {
        return new InMemoryCohortStore();
    }
}
