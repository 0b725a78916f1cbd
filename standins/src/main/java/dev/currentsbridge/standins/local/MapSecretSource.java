package dev.currentsbridge.standins.local;

import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Secrets held in memory: local mode and tests. */
public final class MapSecretSource implements SecretSource {

    private final Map<String, String> values;

    public MapSecretSource(Map<String, String> values) {
        this.values = new ConcurrentHashMap<>(values);
    }

    public void put(String id, String value) {
        values.put(id, value);
    }

    @Override
    public String get(String secretId) {
        String v = values.get(secretId);
        if (v == null) {
            throw new SecretUnavailableException("secret not found: " + secretId, false, null);
        }
        return v;
    }
}
