package dev.currentsbridge.cohorts.model;

import java.time.Instant;

/** A stored data import key: only its SHA-256 hash, never the key itself. */
public record KeyRecord(String keyId, String label, String sha256Hex, Instant createdAt, Instant lastUsedAt,
                        Instant revokedAt) {

    public boolean active() {
        return revokedAt == null;
    }
}
