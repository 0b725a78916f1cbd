package dev.currentsbridge.cohorts.model;

import java.util.Objects;

/**
 * A Braze user as a cohort member: the identifier kind and its value. Never logged.
 *
 * <p>A user alias is the pair (alias_label, alias_name); its {@code id} is the pair in one canonical string,
 * {@code <length of label>:<label><name>} (length in UTF-16 chars, decimal without leading zeros). The length
 * prefix makes every pair's string unique and unambiguous whatever characters label and name contain, and keeps
 * the record's shape (kind, id), so stored members, change batches and pages of the other kinds are untouched.
 */
public record MemberRef(IdKind kind, String id) implements Comparable<MemberRef> {

    public MemberRef {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(id);
        if (kind == IdKind.USER_ALIAS) {
            labelLength(id); // only canonical encodings: one string per alias, so equality is the alias's
        }
    }

    public static MemberRef externalId(String id) {
        return new MemberRef(IdKind.EXTERNAL_ID, id);
    }

    public static MemberRef email(String email) {
        return new MemberRef(IdKind.EMAIL, email);
    }

    /** A Braze user alias; name and label must be non-empty (Braze requires both). */
    public static MemberRef alias(String aliasName, String aliasLabel) {
        if (aliasName.isEmpty() || aliasLabel.isEmpty()) {
            throw new IllegalArgumentException("alias name and label must be non-empty");
        }
        return new MemberRef(IdKind.USER_ALIAS, aliasLabel.length() + ":" + aliasLabel + aliasName);
    }

    /** The alias_name of a user alias. */
    public String aliasName() {
        requireAlias();
        int n = labelLength(id);
        return id.substring(id.indexOf(':') + 1 + n);
    }

    /** The alias_label of a user alias. */
    public String aliasLabel() {
        requireAlias();
        int n = labelLength(id);
        int start = id.indexOf(':') + 1;
        return id.substring(start, start + n);
    }

    private void requireAlias() {
        if (kind != IdKind.USER_ALIAS) {
            throw new IllegalStateException("not a user alias");
        }
    }

    /** The label length of an alias encoding; rejects anything {@link #alias} would not produce. */
    private static int labelLength(String encoded) {
        int colon = encoded.indexOf(':');
        if (colon < 1 || colon > 9 || encoded.charAt(0) == '0') {
            throw new IllegalArgumentException("malformed user alias member");
        }
        int n = 0;
        for (int i = 0; i < colon; i++) {
            char c = encoded.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("malformed user alias member");
            }
            n = n * 10 + (c - '0');
        }
        // the name after the label must be non-empty too
        if (n >= encoded.length() - colon - 1) {
            throw new IllegalArgumentException("malformed user alias member");
        }
        return n;
    }

    /**
     * Stable storage form {@code <kind code>#<id>}; the kind code never contains '#', so parsing at the first '#'
     * is unambiguous (for an alias the id is its length-prefixed pair, so any characters round-trip).
     */
    public String storageKey() {
        return kind.code() + "#" + id;
    }

    public static MemberRef fromStorageKey(String key) {
        int i = key.indexOf('#');
        if (i < 0) {
            throw new IllegalArgumentException("malformed member key");
        }
        return new MemberRef(IdKind.fromCode(key.substring(0, i)), key.substring(i + 1));
    }

    @Override
    public int compareTo(MemberRef o) {
        return storageKey().compareTo(o.storageKey());
    }

    @Override
    public String toString() {
        return "MemberRef[" + kind + "]"; // ids stay out of logs and exception messages
    }
}
