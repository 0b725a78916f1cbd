package dev.currentsbridge.cohorts.domain;

import java.util.Objects;

/** A Braze user as a cohort member: the identifier kind and its value. Never logged. */
public record MemberRef(IdKind kind, String id) implements Comparable<MemberRef> {

    public MemberRef {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(id);
    }

    public static MemberRef externalId(String id) {
        return new MemberRef(IdKind.EXTERNAL_ID, id);
    }

    public static MemberRef email(String email) {
        return new MemberRef(IdKind.EMAIL, email);
    }

    /** Stable storage form {@code <kind code>#<id>}; the kind code never contains '#', so parsing is unambiguous. */
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
