package dev.currentsbridge.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretUnavailableException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An ALTERNATIVE measured by the cold-start harness ({@code --no-sdk-path}): the secret read through the AWS
 * Parameters and Secrets Lambda Extension ({@code GET localhost:2773/secretsmanager/get?secretId=...} with the
 * {@code X-Aws-Parameters-Secrets-Token} header) over the shared JDK client, instead of the signed
 * {@code SecretsManagerReader} call the functions make: no signing, but an extension layer to deploy.
 */
public final class ExtensionSecretSource implements SecretSource {

    private final java.util.function.Supplier<HttpClient> http;
    private final URI base;
    private final String token;

    public ExtensionSecretSource(java.util.function.Supplier<HttpClient> http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    @Override
    public String get(String secretId) {
        HttpRequest r = HttpRequest.newBuilder(base.resolve("/secretsmanager/get?secretId="
                        + URLEncoder.encode(secretId, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5))
                .header("X-Aws-Parameters-Secrets-Token", token == null ? "" : token)
                .GET().build();
        try {
            HttpResponse<byte[]> response = http.get().send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new SecretUnavailableException("secrets extension answered " + response.statusCode(), response.statusCode() >= 500, null);
            }
            JsonNode json = Json.MAPPER.readTree(response.body());
            return json.path("SecretString").asText();
        } catch (IOException e) {
            throw new SecretUnavailableException("secrets extension unreachable", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretUnavailableException("interrupted", true, e);
        }
    }
}
