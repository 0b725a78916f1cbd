package dev.currentsbridge.cohorts.model;

import java.util.Optional;

/**
 * What a data import key may do. A {@code postback} key is the one entered in Mixpanel (or a Braze-partner
 * sender): it can only post membership. An {@code admin} key can also read cohort status and members, change
 * the sync mode and manage keys, and is accepted on the postback routes too (so keys stored before roles
 * existed, which are read as admin, keep every deployment working).
 */
public enum KeyRole {
    POSTBACK("postback"), ADMIN("admin");

    private final String wire;

    KeyRole(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The role named {@code text} ({@code postback}/{@code admin}, any case), or empty. */
    public static Optional<KeyRole> parse(String text) {
        for (KeyRole r : values()) {
            if (r.wire.equalsIgnoreCase(text == null ? "" : text.strip())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** A stored role: absent (a key created before roles existed) is read as admin, so nobody loses access. */
    public static KeyRole stored(String text) {
        return text == null ? ADMIN : parse(text).orElse(ADMIN);
    }
}
