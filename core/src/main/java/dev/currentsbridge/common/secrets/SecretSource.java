package dev.currentsbridge.common.secrets;

import java.util.Optional;

/**
 * Where secret values come from (Secrets Manager on AWS, a map in local mode and tests). Environment
 * variables name secrets; they never hold them.
 */
public interface SecretSource {

    /** The secret's string value (its current version). Throws {@link SecretUnavailableException} when it cannot be read. */
    String get(String secretId);

    /**
     * The version before the current one, during and after a rotation (Secrets Manager's {@code AWSPREVIOUS}
     * staging label), or empty when the secret has none (never rotated) or the source keeps no history.
     */
    default Optional<String> previous(String secretId) {
        return Optional.empty();
    }

    /** Forget a cached value so the next {@link #get} reads it again (after a 401 from a partner API). */
    default void invalidate(String secretId) {
    }

    /**
     * The value {@link #get} gave cannot be used (it does not parse): a cache drops it and reads again, but not
     * at every use (see {@link CachingSecretSource#UNUSABLE_REREAD}).
     */
    default void unusable(String secretId) {
    }
}
