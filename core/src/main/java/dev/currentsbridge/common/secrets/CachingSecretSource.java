package dev.currentsbridge.common.secrets;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads each secret once per container and keeps it until {@link #invalidate} (e.g. after a 401).
 *
 * <p>{@link #prefetch} starts a read on a background thread; the next {@link #get} takes its result, or reads
 * again if it failed (so a prefetch never changes what a caller sees, only when the read happens).
 */
public final class CachingSecretSource implements SecretSource {

    private final SecretSource delegate;
    private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<String>> prefetching = new ConcurrentHashMap<>();

    public CachingSecretSource(SecretSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public String get(String secretId) {
        String cached = cache.get(secretId);
        if (cached != null) {
            return cached;
        }
        CompletableFuture<String> pending = prefetching.remove(secretId);
        if (pending != null) {
            try {
                String value = pending.join();
                cache.putIfAbsent(secretId, value);
                return cache.get(secretId);
            } catch (CompletionException | CancellationException e) {
                // The background read failed: read again here, which reports (or recovers from) the error itself.
            }
        }
        return cache.computeIfAbsent(secretId, delegate::get);
    }

    /**
     * Starts reading {@code secretId} on a daemon thread unless it is cached or already being read. For a
     * Lambda's on-demand init, whose first invocation needs the secret right after (see {@code InitType}).
     */
    public void prefetch(String secretId) {
        if (cache.containsKey(secretId)) {
            return;
        }
        prefetching.computeIfAbsent(secretId, id -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(delegate.get(id));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }, "secret-prefetch");
            t.setDaemon(true);
            t.start();
            return f;
        });
    }

    @Override
    public void invalidate(String secretId) {
        CompletableFuture<String> pending = prefetching.remove(secretId);
        if (pending != null) {
            pending.cancel(false);
        }
        cache.remove(secretId);
        delegate.invalidate(secretId);
    }
}
