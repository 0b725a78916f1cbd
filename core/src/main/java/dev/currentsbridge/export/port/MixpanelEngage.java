package dev.currentsbridge.export.port;

/**
 * Mixpanel's {@code /engage} endpoint (user profile updates): the same one-request, no-retry contract as
 * {@link MixpanelImport}, so that the one delivery domain (retries, splits, partial failures, ledger) serves both.
 * Each element passed to {@link #send} is one update object without {@code $token}
 * ({@code {"$distinct_id":..,"$set":{..}}}); the adapter adds the project token to each and asks for {@code ip=0}
 * and {@code strict=1}. A credentials secret without a project token is a {@link CredentialsException} that is
 * not retryable (a configuration error, never a verdict on the updates).
 */
public interface MixpanelEngage extends MixpanelImport {
}
