package dev.currentsbridge.cohorts.domain.keys;

import dev.currentsbridge.cohorts.model.KeyRecord;

/** A freshly created key: {@code secret} is shown to the caller once and is not stored anywhere. */
public record CreatedKey(KeyRecord record, String secret) {
    @Override
    public String toString() {
        return "CreatedKey[" + record.keyId() + "]";
    }
}
