package dev.currentsbridge.cohorts.model;

import java.time.Instant;

/**
 * A stored data import key: only its SHA-256 hash, never the key itself.
 *
 * @param role      what the key may do ({@link KeyRole#ADMIN} for keys stored before roles existed)
 * @param projectId the one Mixpanel project a postback key accepts postbacks for; null = any project
 */
public record KeyRecord(String keyId, String label, String sha256Hex, Instant createdAt, Instant lastUsedAt,
                        Instant revokedAt, KeyRole role, String projectId) {

    public KeyRecord {
        role = role == null ? KeyRole.ADMIN : role;
    }

    /** A key without a role (as stored before roles existed): read as admin, bound to no project. */
    public KeyRecord(String keyId, String label, String sha256Hex, Instant createdAt, Instant lastUsedAt,
                     Instant revokedAt) {
        this(keyId, label, sha256Hex, createdAt, lastUsedAt, revokedAt, KeyRole.ADMIN, null);
    }

    public boolean active() {
        return revokedAt == null;
    }

    /** An active admin key: the ones that cannot all be revoked over HTTP. */
    public boolean activeAdmin() {
        return active() && role == KeyRole.ADMIN;
    }

    public KeyRecord touched(Instant at) {
        return new KeyRecord(keyId, label, sha256Hex, createdAt, at, revokedAt, role, projectId);
    }

    public KeyRecord revoked(Instant at) {
        return new KeyRecord(keyId, label, sha256Hex, createdAt, lastUsedAt, revokedAt == null ? at : revokedAt,
                role, projectId);
    }
}
