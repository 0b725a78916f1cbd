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
            revoke(r, at);
            return true;
        }
    }

    @Override
    public Revocation revokeKeepingAnAdmin(String keyId, Instant at) {
        // One lock around the check and the write: as atomic as the DynamoDB adapter's conditional write.
        synchronized (model) {
            KeyRecord r = model.state().keys.get(keyId);
            if (r == null) {
                return Revocation.NO_SUCH_KEY;
            }
            if (!r.active()) {
                return Revocation.ALREADY_REVOKED;
            }
            boolean anotherAdmin = model.state().keys.values().stream()
                    .anyMatch(k -> k.activeAdmin() && !k.keyId().equals(keyId));
            if (r.activeAdmin() && !anotherAdmin) {
                return Revocation.LAST_ADMIN;
            }
            revoke(r, at);
            return Revocation.REVOKED;
        }
    }

    private void revoke(KeyRecord r, Instant at) {
        if (r.revokedAt() == null) {
            model.state().keys.put(r.keyId(), r.revoked(at));
            model.changed();
        }
    }

    @Override
    public void touchKey(String keyId, Instant at) {
        synchronized (model) {
            KeyRecord r = model.state().keys.get(keyId);
            if (r != null) {
                model.state().keys.put(keyId, r.touched(at));
                model.changed();
            }
        }
    }
}
