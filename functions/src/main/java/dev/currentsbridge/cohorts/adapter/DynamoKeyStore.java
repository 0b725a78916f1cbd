package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.KEYS_PK;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.key;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;
import static dev.currentsbridge.cohorts.adapter.CohortItems.str;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.cohorts.port.KeyStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@link KeyStore} on the key items of the cohort table (pk {@code keys}, see {@link CohortItems}).
 *
 * <p>The last admin key is protected without transactions by one more item, {@code keys}/{@code admins}, whose
 * string set {@code admin_ids} names active admin keys. A key joins the set after its item is written and leaves
 * it, by a conditional DELETE ({@code contains(admin_ids, id) AND size(admin_ids) > 1}), before its item is marked
 * revoked; so the set only ever names active admin keys and a revocation can never empty it. Two concurrent
 * revocations of the last two admin keys are serialised by that one item: one of them fails its condition.
 * A crash between the two writes leaves an active admin outside the set; the next revocation of that key adds it
 * back first. The set is built from the key items the first time it is needed (keys stored before roles existed
 * are admin keys), with a condition, so two first users build it once.
 */
public final class DynamoKeyStore implements KeyStore {

    private static final Map<String, AttributeValue> ADMINS = key(KEYS_PK, "admins");

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
        item.put("role", s(r.role().wire()));
        if (r.projectId() != null) {
            item.put("project_id", s(r.projectId()));
        }
        if (!table.putIf(item, "attribute_not_exists(pk)", Map.of())) {
            return false;
        }
        if (r.activeAdmin()) {
            ensureAdminSet();
            table.update(ADMINS, new UpdateExpression().add("admin_ids", ids(r.keyId())), null);
        }
        return true;
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
        Optional<KeyRecord> k = findKey(keyId);
        if (k.isEmpty()) {
            return false;
        }
        if (k.get().activeAdmin()) {
            ensureAdminSet();
            table.update(ADMINS, new UpdateExpression().delete("admin_ids", ids(keyId)), null);
        }
        return markRevoked(keyId, at);
    }

    @Override
    public Revocation revokeKeepingAnAdmin(String keyId, Instant at) {
        Optional<KeyRecord> k = findKey(keyId);
        if (k.isEmpty()) {
            return Revocation.NO_SUCH_KEY;
        }
        if (!k.get().active()) {
            return Revocation.ALREADY_REVOKED;
        }
        if (k.get().role() == KeyRole.ADMIN) {
            ensureAdminSet();
            if (!leaveAdminSet(keyId)) {
                // Outside the set after a crash between two writes: put it back, then decide as usual.
                table.update(ADMINS, new UpdateExpression().add("admin_ids", ids(keyId)), null);
                if (!leaveAdminSet(keyId)) {
                    return Revocation.LAST_ADMIN;
                }
            }
        }
        markRevoked(keyId, at);
        return Revocation.REVOKED;
    }

    /** Removes the key from the admin set unless it is not there or is the only one left. */
    private boolean leaveAdminSet(String keyId) {
        return table.tryUpdate(ADMINS, new UpdateExpression().delete("admin_ids", ids(keyId))
                        .value(":id", s(keyId)).value(":one", n(1)),
                "contains(admin_ids, :id) AND size(admin_ids) > :one");
    }

    /** Builds the admin set from the key items, once (the first writer's condition wins). */
    private void ensureAdminSet() {
        Map<String, AttributeValue> admins = table.get(ADMINS, null);
        if (admins != null && admins.containsKey("initialised")) {
            return;
        }
        List<String> active = listKeys().stream().filter(KeyRecord::activeAdmin).map(KeyRecord::keyId).toList();
        UpdateExpression init = new UpdateExpression().set("initialised", AttributeValue.fromBool(true));
        if (!active.isEmpty()) {
            init.add("admin_ids", AttributeValue.fromSs(active));
        }
        table.tryUpdate(ADMINS, init, "attribute_not_exists(initialised)");
    }

    private boolean markRevoked(String keyId, Instant at) {
        return table.tryUpdate(key(KEYS_PK, "key#" + keyId), new UpdateExpression().setIfAbsent("revoked_at", n(at)),
                "attribute_exists(pk)");
    }

    @Override
    public void touchKey(String keyId, Instant at) {
        table.tryUpdate(key(KEYS_PK, "key#" + keyId), new UpdateExpression().set("last_used_at", n(at)),
                "attribute_exists(pk)");
    }

    private static AttributeValue ids(String keyId) {
        return AttributeValue.fromSs(List.of(keyId));
    }

    private static KeyRecord keyRecord(Map<String, AttributeValue> i) {
        return new KeyRecord(i.get("key_id").s(), str(i, "label"), i.get("sha256").s(), instant(i, "created_at"),
                instant(i, "last_used_at"), instant(i, "revoked_at"), KeyRole.stored(str(i, "role")),
                str(i, "project_id"));
    }
}
