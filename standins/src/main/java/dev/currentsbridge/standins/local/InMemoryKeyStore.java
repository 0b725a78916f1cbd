package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.port.KeyStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Data import key records of an {@link InMemoryCohortModel}. */
public final class InMemoryKeyStore implements KeyStore {

    private final InMemoryCohortModel model;

    public InMemoryKeyStore(InMemoryCohortModel model) {
        this.model = model;
    }

    @Override
    public boolean createKey(KeyRecord record) {
        synchronized (model) {
            if (model.state().keys.containsKey(record.keyId())) {
                return false;
            }
            model.state().keys.put(record.keyId(), record);
            model.changed();
            return true;
        }
    }

    @Override
    public Optional<KeyRecord> findKey(String keyId) {
        synchronized (model) {
            return Optional.ofNullable(model.state().keys.get(keyId));
        }
    }

    @Override
    public List<KeyRecord> listKeys() {
        synchronized (model) {
            return model.state().keys.values().stream().sorted(Comparator.comparing(KeyRecord::createdAt)).toList();
        }
    }

    @Override
    public boolean revokeKey(String keyId, Instant at) {
        synchronized (model) {
            KeyRecord r = model.state().keys.get(keyId);
            if (r == null) {
                return false;
            }
            if (r.revokedAt() == null) {
                model.state().keys.put(keyId, new KeyRecord(r.keyId(), r.label(), r.sha256Hex(), r.createdAt(), r.lastUsedAt(), at));
                model.changed();
            }
            return true;
        }
    }

    @Override
    public void touchKey(String keyId, Instant at) {
        synchronized (model) {
            KeyRecord r = model.state().keys.get(keyId);
            if (r != null) {
                model.state().keys.put(keyId, new KeyRecord(r.keyId(), r.label(), r.sha256Hex(), r.createdAt(), at, r.revokedAt()));
                model.changed();
            }
        }
    }
}
