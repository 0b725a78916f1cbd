package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.CohortState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the per-port contracts ({@link CohortRegistryContract}, {@link PostbackLogContract},
 * {@link MembershipContract}, {@link KeyStoreContract}): every implementation (in memory, file, DynamoDB on
 * dynalite) runs each of them as a nested class of its test.
 */
abstract class CohortStateContract {

    static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

    /** For the file store: a fresh directory per test. */
    @TempDir
    Path dir;

    /** Fresh, empty state (one model or table behind all four ports). */
    abstract CohortState state();

    /** Valid Unicode (stores hold UTF-8) that is hostile to key formats: separators, digits, controls, NUL, emoji. */
    private static String hostileText(Random r) {
        String[] pieces = {"#", ":", "1", "0", "12:", "member#", "alias#", "ext#", "\u0000", "\n", "\t", "\u007f", "é",
            "\u4e2d", "\uD83D\uDE00", "\uFFFD", " ", "\"", "\\", "a", "b"};
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append(pieces[r.nextInt(pieces.length)]);
        }
        return sb.toString();
    }

    /** 60 member references: aliases and external ids that look like each other's key formats. */
    static List<MemberRef> hostileRefs() {
        Random r = new Random(0xA11A5L);
        Set<MemberRef> refs = new LinkedHashSet<>(List.of(MemberRef.alias("c", "a#b"), MemberRef.alias("b#c", "a"),
                MemberRef.alias("u1", "ext"), MemberRef.externalId("u1"), MemberRef.externalId("alias#1:ab")));
        while (refs.size() < 60) {
            refs.add(MemberRef.alias(hostileText(r), hostileText(r)));
        }
        return List.copyOf(refs);
    }
}
