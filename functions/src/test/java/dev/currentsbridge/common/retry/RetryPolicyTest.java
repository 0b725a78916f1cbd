package dev.currentsbridge.common.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = RetryPolicy.mixpanel(new SplittableRandom(1));

    @Test
    void backoffStartsAt2sDoublesUpTo60sPlus1To5sJitter() {
        long[] bases = {2, 4, 8, 16, 32, 60, 60, 60};
        for (int attempt = 1; attempt <= bases.length; attempt++) {
            for (int sample = 0; sample < 200; sample++) {
                long ms = policy.delay(attempt, Optional.empty()).toMillis();
                long base = bases[attempt - 1] * 1000;
                assertTrue(ms >= base + 1000 && ms <= base + 5000, "attempt " + attempt + ": " + ms);
            }
        }
    }

    @Test
    void jitterCoversItsRange() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long j = policy.delay(1, Optional.empty()).toMillis() - 2000;
            min = Math.min(min, j);
            max = Math.max(max, j);
        }
        assertTrue(min < 1200 && max > 4800, "jitter spans 1-5 s: " + min + ".." + max);
    }

    @Test
    void retryAfterWinsButIsCappedAtTheMaximum() {
        assertEquals(Duration.ofSeconds(7), policy.delay(3, Optional.of(Duration.ofSeconds(7))));
        assertEquals(Duration.ZERO, policy.delay(1, Optional.of(Duration.ZERO)));
        assertEquals(Duration.ofSeconds(60), policy.delay(1, Optional.of(Duration.ofHours(2))));
    }

    @Test
    void brazeStartsAt1sDoublesUpTo30sWithJitterAndHonoursLongServerWaits() {
        RetryPolicy braze = RetryPolicy.braze(new SplittableRandom(2));
        long[] bases = {1, 2, 4, 8, 16, 30, 30};
        for (int attempt = 1; attempt <= bases.length; attempt++) {
            long ms = braze.delay(attempt, Optional.empty()).toMillis();
            assertTrue(ms >= bases[attempt - 1] * 1000 && ms <= bases[attempt - 1] * 1000 + 250, attempt + ": " + ms);
        }
        assertEquals(Duration.ofMinutes(10), braze.delay(1, Optional.of(Duration.ofMinutes(10))));
        assertEquals(Duration.ofMinutes(15), braze.delay(1, Optional.of(Duration.ofDays(1))));
        assertEquals(4, braze.withMaxAttempts(4).maxAttempts());
    }
}
