package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.KeyRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Data import key records (hashes only). */
public interface KeyStore {

    /** Stores a new record; false when the key id already exists (nothing changes then). */
    boolean createKey(KeyRecord record);

    Optional<KeyRecord> findKey(String keyId);

    List<KeyRecord> listKeys();

    /** Marks the key revoked; false when there is no such key. Revoking twice keeps the first time. */
    boolean revokeKey(String keyId, Instant at);

    void touchKey(String keyId, Instant at);
}
