package dev.currentsbridge.common.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-container cache and its background prefetch (pure logic: a counting source stands in for AWS). */
class CachingSecretSourceTest {

    /** Answers "value-N" for the N-th read; can be held until released, or fail the first reads. */
    static final class CountingSource implements SecretSource {
        final AtomicInteger reads = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        volatile int failFirst;
        volatile boolean hold;
        volatile String readerThread;

        @Override
        public String get(String secretId) {
            int n = reads.incrementAndGet();
            readerThread = Thread.currentThread().getName();
            if (hold) {
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (n <= failFirst) {
                throw new SecretUnavailableException("down", true, null);
            }
            return "value-" + n;
        }
    }

    @Test
    void anUnusableValueIsKeptAMinuteThenReadAgain() {
        CountingSource source = new CountingSource();
        dev.currentsbridge.standins.time.ManualClock clock = new dev.currentsbridge.standins.time.ManualClock();
        CachingSecretSource cache = new CachingSecretSource(source, clock);
        assertEquals("value-1", cache.get("s"));
        cache.unusable("s");
        clock.advance(java.time.Duration.ofSeconds(30));
        assertEquals("value-1", cache.get("s"), "not at every use: the same failure, no read");
        cache.unusable("s"); // a second failure does not push the re-read further away
        clock.advance(java.time.Duration.ofSeconds(30));
        assertEquals("value-2", cache.get("s"));
        assertEquals("value-2", cache.get("s"));
        assertEquals(2, source.reads.get());
    }

    @Test
    void thePreviousVersionIsCachedAndDroppedWithTheCurrentOne() {
        AtomicInteger previousReads = new AtomicInteger();
        SecretSource source = new SecretSource() {
            @Override
            public String get(String secretId) {
                return "current";
            }

            @Override
            public java.util.Optional<String> previous(String secretId) {
                return java.util.Optional.of("previous-" + previousReads.incrementAndGet());
            }
        };
        CachingSecretSource cache = new CachingSecretSource(source);
        assertEquals(java.util.Optional.of("previous-1"), cache.previous("s"));
        assertEquals(java.util.Optional.of("previous-1"), cache.previous("s"));
        cache.invalidate("s");
        assertEquals(java.util.Optional.of("previous-2"), cache.previous("s"));
    }

    @Test
    void readsOncePerContainerUntilInvalidated() {
        CountingSource source = new CountingSource();
        CachingSecretSource cache = new CachingSecretSource(source);
        assertEquals("value-1", cache.get("s"));
        assertEquals("value-1", cache.get("s"));
        cache.invalidate("s");
        assertEquals("value-2", cache.get("s"));
        assertEquals(2, source.reads.get());
    }

    @Test
    void aPrefetchReadsOnAnotherThreadAndTheFirstGetWaitsForIt() {
        CountingSource source = new CountingSource();
        source.hold = true;
        CachingSecretSource cache = new CachingSecretSource(source);
        cache.prefetch("s");
        cache.prefetch("s"); // already in flight: not a second read
        source.release.countDown();
        assertEquals("value-1", cache.get("s"));
        assertEquals("value-1", cache.get("s"));
        assertEquals(1, source.reads.get());
        assertEquals("secret-prefetch", source.readerThread);
    }

    @Test
    void aFailedPrefetchIsReadAgainByTheCaller() {
        CountingSource source = new CountingSource();
        source.failFirst = 1;
        CachingSecretSource cache = new CachingSecretSource(source);
        cache.prefetch("s");
        assertEquals("value-2", cache.get("s"));
        assertEquals(2, source.reads.get());
    }

    @Test
    void aCallerStillSeesTheErrorWhenTheReadAgainFails() {
        CountingSource source = new CountingSource();
        source.failFirst = 2;
        CachingSecretSource cache = new CachingSecretSource(source);
        cache.prefetch("s");
        assertThrows(SecretUnavailableException.class, () -> cache.get("s"));
        assertEquals("value-3", cache.get("s"), "nothing failed is cached");
    }

    @Test
    void aCachedSecretIsNotPrefetchedAgain() {
        CountingSource source = new CountingSource();
        CachingSecretSource cache = new CachingSecretSource(source);
        cache.get("s");
        cache.prefetch("s");
        assertEquals("value-1", cache.get("s"));
        assertEquals(1, source.reads.get());
    }
}
