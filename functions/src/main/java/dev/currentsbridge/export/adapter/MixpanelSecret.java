package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;

/**
 * The Mixpanel credentials secret as one adapter ({@code /import}, {@code /engage}) holds it: parsed once and
 * cached, forgotten on request after a 401, and marked unusable when it does not parse (the secret source then
 * reads it again a minute later, not at every batch: see {@code CachingSecretSource#unusable}).
 */
final class MixpanelSecret {

    private final SecretSource secrets;
    private final String secretId;
    private volatile MixpanelCredentials credentials;

    MixpanelSecret(SecretSource secrets, String secretId) {
        this.secrets = secrets;
        this.secretId = secretId;
    }

    MixpanelCredentials credentials() {
        MixpanelCredentials c = credentials;
        if (c == null) {
            String json;
            try {
                json = secrets.get(secretId);
            } catch (SecretUnavailableException e) {
                throw new CredentialsException("cannot read the Mixpanel secret: " + e.getMessage(), e.retryable(), e);
            }
            try {
                c = MixpanelCredentials.parse(json);
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
