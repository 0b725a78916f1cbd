package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.port.KeyStore;
import dev.currentsbridge.standins.aws.Dynalite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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

        @Override
        int raceRounds() {
            return 12; // each round is a dozen requests to dynalite
        }

        /**
         * A key item written before roles existed (no {@code role} attribute) is an admin key, and the admin set
         * built on first use counts it: with two such keys, one of them can be revoked, the last one cannot.
         */
        @Test
        void keysStoredBeforeRolesAreAdminKeysAndCountAsSuch() {
            var client = Dynalite.shared().client();
            String table = Dynalite.shared().newCohortTable(client);
            for (String id : List.of("old1", "old2")) {
                client.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("keys"),
                        "sk", AttributeValue.fromS("key#" + id), "key_id", AttributeValue.fromS(id),
                        "label", AttributeValue.fromS(""), "sha256", AttributeValue.fromS("00".repeat(32)),
                        "created_at", AttributeValue.fromN("1"))));
            }
            KeyStore keys = CohortStores.dynamo(client, table).keys();
            assertEquals(KeyRole.ADMIN, keys.findKey("old1").orElseThrow().role());
            assertEquals(KeyStore.Revocation.REVOKED, keys.revokeKeepingAnAdmin("old1", CohortStateContract.T));
            assertEquals(KeyStore.Revocation.LAST_ADMIN, keys.revokeKeepingAnAdmin("old2", CohortStateContract.T));
        }
    }
}
