package dev.currentsbridge.cohorts.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.standins.fixtures.RandomCases;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Member identities and their storage keys: aliases round-trip exactly, the older kinds parse as before. */
class MemberRefTest {

    /** Text meant to break a naive key format: separators, digits, the length prefix's colon, controls, surrogates. */
    static String hostile(Random r, int maxLength) {
        return RandomCases.oneOf(r,
                () -> RandomCases.string(r, "#:0123456789ab", 1, maxLength),
                () -> "1" + RandomCases.anyString(r, maxLength - 1),
                () -> RandomCases.anyString(r, maxLength) + "#",
                () -> RandomCases.oneOf(r, List.of("#", ":", "0:", "1:#", "\u0000", "\uD83D\uDE00", "ext#u1", "10:")));
    }

    @Test
    void aliasStorageKeyRoundTripsForAnyNameAndLabel() {
        RandomCases.forAll("alias storage key round trip", 2000, 0xA11A5L, r -> {
            String name = hostile(r, 40);
            String label = hostile(r, 40);
            if (name.isEmpty() || label.isEmpty()) {
                return; // Braze requires both; the parser refuses empty ones
            }
            MemberRef ref = MemberRef.alias(name, label);
            MemberRef back = MemberRef.fromStorageKey(ref.storageKey());
            assertEquals(ref, back);
            assertEquals(name, back.aliasName());
            assertEquals(label, back.aliasLabel());
            assertEquals(IdKind.USER_ALIAS, back.kind());
            // a different split of the same characters is a different user with a different key
            String joined = label + name;
            int split = 1 + r.nextInt(joined.length() - 1);
            MemberRef other = MemberRef.alias(joined.substring(split), joined.substring(0, split));
            assertEquals(split == label.length(), other.equals(ref));
            assertEquals(split == label.length(), other.storageKey().equals(ref.storageKey()));
        });
    }

    @Test
    void separatorsInLabelOrNameAreNotAmbiguous() {
        MemberRef a = MemberRef.alias("c", "a#b");
        MemberRef b = MemberRef.alias("b#c", "a");
        assertNotEquals(a, b);
        assertNotEquals(a.storageKey(), b.storageKey());
        assertEquals("a#b", MemberRef.fromStorageKey(a.storageKey()).aliasLabel());
        assertEquals("b#c", MemberRef.fromStorageKey(b.storageKey()).aliasName());
        MemberRef digits = MemberRef.alias("1:x", "12:");
        assertEquals(digits, MemberRef.fromStorageKey(digits.storageKey()));
        assertEquals("12:", MemberRef.fromStorageKey(digits.storageKey()).aliasLabel());
    }

    @Test
    void anAliasIsNotTheExternalIdOfTheSameText() {
        MemberRef alias = MemberRef.alias("u1", "mp");
        assertNotEquals(MemberRef.externalId("u1"), alias);
        assertNotEquals(MemberRef.externalId(alias.id()), alias, "same id text, different kind");
        assertFalse(alias.toString().contains("u1"), "alias names stay out of toString");
        assertFalse(alias.toString().contains("mp"), "alias labels stay out of toString");
    }

    @Test
    void storedKeysOfTheOlderKindsParseUnchanged() {
        // key strings as existing tables and state files hold them
        assertEquals(MemberRef.externalId("u1"), MemberRef.fromStorageKey("ext#u1"));
        assertEquals(MemberRef.externalId("alias#3:abcd"), MemberRef.fromStorageKey("ext#alias#3:abcd"));
        assertEquals(MemberRef.email("a#b@example.com"), MemberRef.fromStorageKey("email#a#b@example.com"));
        assertEquals(MemberRef.externalId(""), MemberRef.fromStorageKey("ext#"));
        assertEquals("ext#u1", MemberRef.externalId("u1").storageKey());
        assertEquals("email#x@y.z", MemberRef.email("x@y.z").storageKey());
    }

    @Test
    void malformedAliasKeysAndEmptyPartsAreRefused() {
        for (String key : List.of("alias#", "alias#abc", "alias#:ab", "alias#0:ab", "alias#01:ab", "alias#2:ab",
                "alias#3:ab", "alias#+1:ab", "alias#-1:ab", "alias#1x:ab", "alias#9999999999:ab", "nope#x", "ext")) {
            assertThrows(IllegalArgumentException.class, () -> MemberRef.fromStorageKey(key), key);
        }
        assertThrows(IllegalArgumentException.class, () -> MemberRef.alias("", "l"));
        assertThrows(IllegalArgumentException.class, () -> MemberRef.alias("n", ""));
        assertThrows(IllegalStateException.class, () -> MemberRef.externalId("u1").aliasName());
    }
}
