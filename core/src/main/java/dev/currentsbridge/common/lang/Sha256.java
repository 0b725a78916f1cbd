package dev.currentsbridge.common.lang;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 without the checked exception every JDK makes impossible (SHA-256 is a required algorithm). */
public final class Sha256 {

    private Sha256() {
    }

    /** A fresh digest, for hashing several parts. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }

    /** The digest of the string's UTF-8 bytes. */
    public static byte[] of(String s) {
        return newDigest().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
