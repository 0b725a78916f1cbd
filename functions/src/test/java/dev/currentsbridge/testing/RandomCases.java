package dev.currentsbridge.testing;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Seeded, reproducible property-based testing in plain JUnit: run a check against many generated cases,
 * and on failure report the seed and case number so the exact case can be replayed.
 *
 * <p>Seed policy: every property has a fixed default seed (reproducible CI runs); {@code -Dproperty.seed=N}
 * replays or explores another stream, {@code -Dproperty.tries=N} scales the number of cases.
 */
public final class RandomCases {

    private RandomCases() {
    }

    /** A check over one generated case; may throw anything, including assertion errors. */
    @FunctionalInterface
    public interface Check {
        void run(Random random) throws Exception;
    }

    public static void forAll(String name, int tries, long defaultSeed, Check check) {
        long seed = Long.getLong("property.seed", defaultSeed);
        int n = Integer.getInteger("property.tries", tries);
        Random master = new Random(seed);
        for (int i = 0; i < n; i++) {
            long caseSeed = master.nextLong();
            try {
                check.run(new Random(caseSeed));
            } catch (Throwable t) {
                throw new AssertionError(name + " failed on case " + i + " of " + n + " (property seed " + seed
                        + ", case seed " + caseSeed + "): " + t, t);
            }
        }
    }

    public static <T> T oneOf(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    @SafeVarargs
    public static <T> T oneOf(Random r, Supplier<T>... generators) {
        return generators[r.nextInt(generators.length)].get();
    }

    /** A string of up to {@code maxLength} chars drawn from {@code alphabet}. */
    public static String string(Random r, String alphabet, int minLength, int maxLength) {
        int len = minLength + r.nextInt(maxLength - minLength + 1);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Any UTF-16 string, surrogates and control characters included. */
    public static String anyString(Random r, int maxLength) {
        int len = r.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                sb.append((char) (0x20 + r.nextInt(0x5f)));
            } else if (kind < 8) {
                sb.append((char) r.nextInt(0x20));
            } else {
                sb.append((char) r.nextInt(0x10000));
            }
        }
        return sb.toString();
    }

    public static long longBetween(Random r, long min, long max) {
        return min + (long) (r.nextDouble() * (max - min));
    }
}
