package dev.currentsbridge.cohorts.model;

/** Which Braze user identifier a member is written with in a {@code /users/track} attributes object. */
public enum IdKind {
    EXTERNAL_ID("external_id", "ext"), EMAIL("email", "email"),
    /** A user alias: the field holds an object {@code {"alias_name", "alias_label"}} (see {@link MemberRef#alias}). */
    USER_ALIAS("user_alias", "alias");

    private final String brazeField;
    private final String code;

    IdKind(String brazeField, String code) {
        this.brazeField = brazeField;
        this.code = code;
    }

    /** The attributes-object field naming the user. */
    public String brazeField() {
        return brazeField;
    }

    /** Short code used in storage keys. */
    public String code() {
        return code;
    }

    public static IdKind fromCode(String code) {
        for (IdKind k : values()) {
            if (k.code.equals(code)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown id kind code");
    }
}
