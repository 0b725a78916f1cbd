package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.KEYS_PK;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.key;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;
import static dev.currentsbridge.cohorts.adapter.CohortItems.str;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.port.KeyStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link KeyStore} on the key items of the cohort table (pk {@code keys}, see {@link CohortItems}). */
public final class DynamoKeyStore implements KeyStore {

    private final CohortTable table;

    public DynamoKeyStore(CohortTable table) {
        this.table = table;
    }

    @Override
    public boolean createKey(KeyRecord r) {
        Map<String, AttributeValue> item = new HashMap<>(key(KEYS_PK, "key#" + r.keyId()));
        item.put("key_id", s(r.keyId()));
        item.put("label", s(r.label() == null ? "" : r.label()));
        item.put("sha256", s(r.sha256Hex()));
        item.put("created_at", n(r.createdAt()));
        return table.putIf(item, "attribute_not_exists(pk)", Map.of());
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        // Strongly consistent: a key revoked a moment ago must already be refused.
        Map<String, AttributeValue> item = table.get(key(KEYS_PK, "key#" + keyId), null);
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(keyRecord(item));
    }

    @Override
    public List<KeyRecord> listKeys() {
        return table.query(KEYS_PK, "key#", null).stream().map(DynamoKeyStore::keyRecord)
                .sorted(Comparator.comparing(KeyRecord::createdAt)).toList();
    }

    @Override
    public boolean revokeKey(String keyId, Instant at) {
        return table.tryUpdate(key(KEYS_PK, "key#" + keyId), new UpdateExpression().setIfAbsent("revoked_at", n(at)),
                "attribute_exists(pk)");
    }

    @Override
    public void touchKey(String keyId, Instant at) {
        table.tryUpdate(key(KEYS_PK, "key#" + keyId), new UpdateExpression().set("last_used_at", n(at)),
                "attribute_exists(pk)");
    }

    private static KeyRecord keyRecord(Map<String, AttributeValue> i) {
        return new KeyRecord(i.get("key_id").s(), str(i, "label"), i.get("sha256").s(), instant(i, "created_at"),
                instant(i, "last_used_at"), instant(i, "revoked_at"));
    }
}
