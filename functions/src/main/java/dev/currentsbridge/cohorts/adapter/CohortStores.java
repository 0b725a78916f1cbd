package dev.currentsbridge.cohorts.adapter;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The deployed store factory (local and in-memory stores are in the standins module). */
public final class CohortStores {

    private CohortStores() {
    }

    /** The deployed store: one DynamoDB table (see {@link DynamoCohortStore} for the key design). */
    public static DynamoCohortStore dynamo(DynamoDbClient client, String tableName) {
        return new DynamoCohortStore(client, tableName);
    }
}
