package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.port.CohortState;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The deployed cohort state (local and in-memory stores are in the standins module). */
public final class CohortStores {

    private CohortStores() {
    }

    /** The deployed state: one DynamoDB table (see {@link CohortItems} for the key design). */
    public static CohortState dynamo(DynamoDbClient client, String tableName) {
        return dynamo(new CohortTable(client, tableName));
    }

    /** The four DynamoDB adapters on one table (keep {@code table} to count its writes). */
    public static CohortState dynamo(CohortTable table) {
        return new CohortState(new DynamoCohortRegistry(table), new DynamoPostbackLog(table), new DynamoMembership(table),
                new DynamoKeyStore(table));
    }
}
