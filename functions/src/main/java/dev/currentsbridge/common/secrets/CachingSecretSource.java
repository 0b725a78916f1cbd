package dev.currentsbridge.common.secrets;

import java.util.concurrent.ConcurrentHashMap;

/** Reads each secret once per container and keeps it until {@link #invalidate} (e.g. after a 401). */
public final class CachingSecretSource implements SecretSource {

    private final SecretSource delegate;
    private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

    public CachingSecretSource(SecretSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public String get(String secretId) {
        return cache.computeIfAbsent(secretId, delegate::get);
    }

    @Override
    public void invalidate(String secretId) {
        cache.remove(secretId);
        delegate.invalidate(secretId);
    }
}
