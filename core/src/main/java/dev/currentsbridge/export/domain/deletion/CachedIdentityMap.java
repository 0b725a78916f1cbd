package dev.currentsbridge.export.domain.deletion;

import dev.currentsbridge.export.port.IdentityMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A bounded per-container cache in front of an {@link IdentityMap}: a user seen again with the same external id
 * costs no call to the store (most events belong to users already seen by the same container). Least recently
 * used pairs are dropped first.
 */
public final class CachedIdentityMap implements IdentityMap {

    public static final int DEFAULT_ENTRIES = 100_000;

    private final IdentityMap store;
    private final Map<String, String> cache;

    public CachedIdentityMap(IdentityMap store, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.store = store;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @Override
    public Optional<String> externalId(String brazeUserId) {
        synchronized (cache) {
            String known = cache.get(brazeUserId);
            if (known != null) {
                return Optional.of(known);
            }
        }
        Optional<String> found = store.externalId(brazeUserId);
        found.ifPresent(ext -> {
            synchronized (cache) {
                cache.put(brazeUserId, ext);
            }
        });
        return found;
    }

    @Override
    public void remember(String brazeUserId, String externalId) {
        synchronized (cache) {
            if (externalId.equals(cache.get(brazeUserId))) {
                return;
            }
        }
        store.remember(brazeUserId, externalId);
        synchronized (cache) {
            cache.put(brazeUserId, externalId);
        }
    }

    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
