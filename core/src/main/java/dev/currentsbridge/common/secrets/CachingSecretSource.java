package dev.currentsbridge.common.secrets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads each secret once per container and keeps it until {@link #invalidate} (e.g. after a 401), or until
 * {@link #UNUSABLE_REREAD} after a caller found it {@link #unusable} (so a secret fixed after a bad edit reaches
 * warm containers without a read at every use). The previous version ({@link #previous}) is cached alike.
 *
 * <p>{@link #prefetch} starts a read on a background thread; the next {@link #get} takes its result, or reads
 * again if it failed (so a prefetch never changes what a caller sees, only when the read happens).
 */
public final class CachingSecretSource implements SecretSource {

    /** How long an unusable value is kept (each use fails the same way, without a read) before it is read again. */
    public static final Duration UNUSABLE_REREAD = Duration.ofMinutes(1);

    private final SecretSource delegate;
    private final Clock clock;
    private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<String>> previous = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> rereadAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<String>> prefetching = new ConcurrentHashMap<>();

    public CachingSecretSource(SecretSource delegate) {
        this(delegate, Clock.systemUTC());
    }

    public CachingSecretSource(SecretSource delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public String get(String secretId) {
        Instant due = rereadAt.get(secretId);
        if (due != null && !clock.instant().isBefore(due) && rereadAt.remove(secretId, due)) {
            cache.remove(secretId);
            previous.remove(secretId);
        }
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

    @Override
    public Optional<String> previous(String secretId) {
        return previous.computeIfAbsent(secretId, delegate::previous);
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
        previous.remove(secretId);
        rereadAt.remove(secretId);
        delegate.invalidate(secretId);
    }

    /** Keeps the value {@link #UNUSABLE_REREAD} more (unless already due), then reads it again at the next get. */
    @Override
    public void unusable(String secretId) {
        rereadAt.putIfAbsent(secretId, clock.instant().plus(UNUSABLE_REREAD));
    }
}
