package dev.currentsbridge.cohorts.domain.keys;

import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.cohorts.port.KeyStore;
import dev.currentsbridge.common.lang.Sha256;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Data import keys: create (the secret is returned once), list, revoke, authenticate.
 *
 * <p>Key format: {@code cbk_<10-char key id>_<43-char random>}. The key id in clear lets authentication read
 * exactly one record; the stored SHA-256 of the whole key is compared in constant time. Several keys may be
 * active at once (rotation); a revoked key is refused on the next request, since nothing is cached.
 *
 * <p>Roles ({@link KeyRole}): a postback key only posts membership (optionally for one Mixpanel project); an admin
 * key also reads status and members and manages keys. The command line calls this class directly against a store
 * ({@code CohortStores}); the HTTP key routes call it after authenticating the caller with an active admin key.
 */
public final class KeyAdmin {

    private static final String PREFIX = "cbk_";
    private static final int ID_LENGTH = 10;
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(5);
    /** Compared against when the key id is unknown, so unknown and wrong keys take the same time. */
    private static final byte[] DUMMY_HASH = new byte[32];

    private final KeyStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public KeyAdmin(KeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** An admin key bound to no project (tests, local mode's first key). */
    public CreatedKey create(String label) {
        return create(label, KeyRole.ADMIN, null);
    }

    /**
     * A new key of {@code role}; a postback key may be bound to one Mixpanel {@code projectId} (null = any).
     * Throws {@link IllegalArgumentException} with a message for the caller on a bad label or binding.
     */
    public CreatedKey create(String label, KeyRole role, String projectId) {
        String cleanLabel = label == null ? "" : label.strip();
        if (cleanLabel.length() > 100) {
            throw new IllegalArgumentException("label must be at most 100 characters");
        }
        String project = projectId == null ? null : projectId.strip();
        if (project != null && (project.isEmpty() || project.length() > 200)) {
            throw new IllegalArgumentException("project_id must be a non-empty string of at most 200 characters");
        }
        if (project != null && role != KeyRole.POSTBACK) {
            throw new IllegalArgumentException("only postback keys are bound to a project");
        }
        while (true) {
            String id = randomId();
            byte[] secretBytes = new byte[32];
            random.nextBytes(secretBytes);
            String secret = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            KeyRecord record = new KeyRecord(id, cleanLabel, HexFormat.of().formatHex(sha256(secret)),
                    clock.instant(), null, null, role, project);
            if (store.createKey(record)) {
                return new CreatedKey(record, secret);
            }
        }
    }

    public List<KeyRecord> list() {
        return store.listKeys();
    }

    public Optional<KeyRecord> find(String keyId) {
        return store.findKey(keyId);
    }

    public long activeCount() {
        return store.listKeys().stream().filter(KeyRecord::active).count();
    }

    /**
     * Revokes any key, also the last admin key: the break-glass path of an operator holding credentials for the
     * store (the command line). False when no such key exists.
     */
    public boolean revoke(String keyId) {
        return store.revokeKey(keyId, clock.instant());
    }

    /** Revokes the key unless it is the last active admin key (decided atomically by the store): the HTTP route. */
    public KeyStore.Revocation revokeKeepingAnAdmin(String keyId) {
        return store.revokeKeepingAnAdmin(keyId, clock.instant());
    }

    /** The active key record matching {@code presented}, or empty (unknown, wrong or revoked). */
    public Optional<KeyRecord> authenticate(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] presentedHash = sha256(presented);
        Optional<KeyRecord> record = keyIdOf(presented).flatMap(store::findKey);
        byte[] storedHash = record.map(r -> HexFormat.of().parseHex(r.sha256Hex())).orElse(DUMMY_HASH);
        boolean matches = MessageDigest.isEqual(presentedHash, storedHash) && record.isPresent();
        if (!matches || !record.get().active()) {
            return Optional.empty();
        }
        KeyRecord r = record.get();
        Instant now = clock.instant();
        // Last-used is for operators deciding which key to retire; minute precision is plenty and saves writes.
        if (r.lastUsedAt() == null || r.lastUsedAt().plus(TOUCH_EVERY).isBefore(now)) {
            store.touchKey(r.keyId(), now);
        }
        return record;
    }

    static Optional<String> keyIdOf(String presented) {
        if (presented.length() != PREFIX.length() + ID_LENGTH + 1 + 43 || !presented.startsWith(PREFIX)
                || presented.charAt(PREFIX.length() + ID_LENGTH) != '_') {
            return Optional.empty();
        }
        return Optional.of(presented.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH));
    }

    private String randomId() {
        char[] c = new char[ID_LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(c);
    }

    static byte[] sha256(String s) {
        return Sha256.of(s);
    }
}
