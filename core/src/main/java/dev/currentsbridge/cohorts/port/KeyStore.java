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

    /**
     * Marks the key revoked, whatever its role (the command line's break-glass path, with credentials for the
     * store); false when there is no such key. Revoking twice keeps the first time.
     */
    boolean revokeKey(String keyId, Instant at);

    /**
     * Marks the key revoked unless it is the last active admin key, decided atomically: of two concurrent calls
     * revoking the last two admin keys, one is refused ({@link Revocation#LAST_ADMIN}).
     */
    Revocation revokeKeepingAnAdmin(String keyId, Instant at);

    void touchKey(String keyId, Instant at);

    /** What {@link #revokeKeepingAnAdmin} did. */
    enum Revocation {
        REVOKED, ALREADY_REVOKED, NO_SUCH_KEY,
        /** Refused: no other active admin key would remain. */
        LAST_ADMIN
    }
}
