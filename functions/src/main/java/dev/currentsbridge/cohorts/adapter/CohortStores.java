package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortStore;
import java.nio.file.Path;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Store factories for handlers, local mode and the command line. */
public final class CohortStores {

    private CohortStores() {
    }

    /** The deployed store: one DynamoDB table (see {@link DynamoCohortStore} for the key design). */
    public static DynamoCohortStore dynamo(DynamoDbClient client, String tableName) {
        return new DynamoCohortStore(client, tableName);
    }

    /** Local mode: state in {@code <dir>/cohort-state.json}, kept across restarts. */
    public static CohortStore file(Path dir) {
        return FileCohortStore.open(dir);
    }

    /** Tests and throwaway runs. */
    public static CohortStore inMemory() {
        return new InMemoryCohortStore();
    }
}
