package dev.currentsbridge.common.secrets;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** AWS Secrets Manager adapter. Wrap it in {@link CachingSecretSource}: one read per container. */
public final class SecretsManagerSecretSource implements SecretSource {

    private final SecretsManagerClient client;

    public SecretsManagerSecretSource(SecretsManagerClient client) {
        this.client = client;
    }

    @Override
    public String get(String secretId) {
        try {
            GetSecretValueResponse r = client.getSecretValue(b -> b.secretId(secretId));
            if (r.secretString() == null) {
                throw new SecretUnavailableException("secret has no string value: " + secretId, false, null);
            }
            return r.secretString();
        } catch (ResourceNotFoundException e) {
            throw new SecretUnavailableException("secret not found: " + secretId, false, e);
        } catch (SecretsManagerException e) {
            boolean retryable = e.statusCode() >= 500 || e.isThrottlingException();
            String code = e.awsErrorDetails() == null ? String.valueOf(e.statusCode()) : e.awsErrorDetails().errorCode();
            throw new SecretUnavailableException("cannot read secret " + secretId + ": " + code, retryable, e);
        } catch (SdkException e) {
            throw new SecretUnavailableException("cannot read secret " + secretId + ": " + e.getClass().getSimpleName(), true, e);
        }
    }
}
