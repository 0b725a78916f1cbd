package dev.currentsbridge.common.secrets;

/**
 * Where secret values come from (Secrets Manager on AWS, a map in local mode and tests). Environment
 * variables name secrets; they never hold them.
 */
public interface SecretSource {

    /** The secret's string value. Throws {@link SecretUnavailableException} when it cannot be read. */
    String get(String secretId);

    /** Forget a cached value so the next {@link #get} reads it again (after a 401 from a partner API). */
    default void invalidate(String secretId) {
    }
}
