package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.port.CohortState;

/**
 * The cohort state in memory, with the same semantics as the DynamoDB adapters (functions, cohorts.adapter):
 * conditional writes, expiry of dedupe records by {@code expiresAt}. Fast stand-in for tests;
 * {@link FileCohortStore} adds a JSON file so local mode survives restarts.
 */
public final class InMemoryCohortStore {

    private InMemoryCohortStore() {
    }

    /** Fresh, empty state. */
    public static CohortState create() {
        return over(new InMemoryCohortModel());
    }

    /** The four in-memory ports over one shared model. */
    public static CohortState over(InMemoryCohortModel model) {
        return new CohortState(new InMemoryCohortRegistry(model), new InMemoryPostbackLog(model),
                new InMemoryMembership(model), new InMemoryKeyStore(model));
    }
}
