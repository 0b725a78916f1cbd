package dev.currentsbridge.standins.faults;

import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;

/**
 * A secret source that fails per read as its schedule says (Secrets Manager throttling, 5xx, access denied),
 * in front of a real one. Reads are what Secrets Manager sees, so wrap it in {@code CachingSecretSource}.
 */
public final class FaultySecretSource implements SecretSource {

    public enum Fault { NONE, THROTTLED, INTERNAL_ERROR, ACCESS_DENIED }

    private final SecretSource delegate;
    private final FaultSchedule<Fault> schedule;

    public FaultySecretSource(SecretSource delegate, FaultSchedule<Fault> schedule) {
        this.delegate = delegate;
        this.schedule = schedule;
    }

    @Override
    public String get(String secretId) {
        return switch (schedule.next()) {
            case NONE -> delegate.get(secretId);
            case THROTTLED -> throw new SecretUnavailableException("cannot read secret " + secretId + ": ThrottlingException", true, null);
            case INTERNAL_ERROR -> throw new SecretUnavailableException("cannot read secret " + secretId + ": InternalServiceError", true, null);
            case ACCESS_DENIED -> throw new SecretUnavailableException("cannot read secret " + secretId + ": AccessDeniedException", false, null);
        };
    }

    @Override
    public void invalidate(String secretId) {
        delegate.invalidate(secretId);
    }
}
