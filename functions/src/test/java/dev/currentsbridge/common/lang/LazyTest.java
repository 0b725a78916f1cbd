package dev.currentsbridge.common.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyTest {

    @Test
    void buildsOnFirstUseOnlyOnceEvenUnderContention() throws InterruptedException {
        AtomicInteger builds = new AtomicInteger();
        Lazy<Object> lazy = Lazy.of(() -> {
            builds.incrementAndGet();
            return new Object();
        });
        assertEquals(0, builds.get(), "nothing is built before the first get");
        CountDownLatch go = new CountDownLatch(1);
        List<Object> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                seen.add(lazy.get());
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, builds.get());
        assertEquals(8, seen.size());
        seen.forEach(o -> assertSame(seen.get(0), o));
    }

    @Test
    void aFailedBuildIsTriedAgainNextTime() {
        AtomicInteger calls = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("endpoint not ready");
            }
            return "client";
        });
        assertThrows(IllegalStateException.class, lazy::get);
        assertEquals("client", lazy.get());
    }
}
