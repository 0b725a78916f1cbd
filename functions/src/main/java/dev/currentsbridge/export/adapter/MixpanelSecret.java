package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;
import java.util.function.Function;

/**
 * The Mixpanel credentials secret as one adapter ({@code /import}, {@code /engage}, the GDPR API) holds it, as the
 * credentials that adapter reads from it ({@link MixpanelCredentials}, {@link GdprCredentials}): parsed once and
 * cached, forgotten on request after a 401, and marked unusable when it does not parse (the secret source then
 * reads it again a minute later, not at every batch: see {@code CachingSecretSource#unusable}).
 */
final class MixpanelSecret<T> {

    private final SecretSource secrets;
    private final String secretId;
    private final Function<String, T> parse;
    private volatile T credentials;

    /** @param parse reads the credentials from the secret's value; throws {@link CredentialsException} if it cannot */
    MixpanelSecret(SecretSource secrets, String secretId, Function<String, T> parse) {
        this.secrets = secrets;
        this.secretId = secretId;
        this.parse = parse;
    }

    T credentials() {
        T c = credentials;
        if (c == null) {
            String json;
            try {
                json = secrets.get(secretId);
            } catch (SecretUnavailableException e) {
                throw new CredentialsException("cannot read the Mixpanel secret: " + e.getMessage(), e.retryable(), e);
            }
            try {
                c = parse.apply(json);
            } catch (CredentialsException e) {
                // a bad edit of the secret: read it again after a while, not at every batch and not only after a 401
                secrets.unusable(secretId);
                throw e;
            }
            credentials = c;
        }
        return c;
    }

    void reload() {
        credentials = null;
        secrets.invalidate(secretId);
    }
}
