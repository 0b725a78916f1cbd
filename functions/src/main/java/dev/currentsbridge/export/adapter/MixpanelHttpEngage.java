package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.retry.RetryAfter;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.port.MixpanelEngage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Mixpanel {@code /engage} (profile updates) over the shared JDK HTTP client: {@code POST /engage?ip=0&strict=1}
 * on the region's host, a JSON array of updates, each given {@code "$token"} (the {@code project_token} of the
 * Mixpanel secret: {@code /engage} authenticates by it, not by HTTP Basic auth) in front of its
 * {@code $distinct_id} and operation. {@code ip=0}: Mixpanel does not geolocate the profile from the Lambda's
 * address. Sent uncompressed: Mixpanel documents no {@code Content-Encoding} for {@code /engage}.
 */
public final class MixpanelHttpEngage implements MixpanelEngage {

    private final Supplier<HttpClient> http;
    private final URI engageUri;
    private final MixpanelSecret<MixpanelCredentials> secret;

    /** {@code http} is asked for at each request (the Lambda passes the shared client, maybe still being built). */
    public MixpanelHttpEngage(Supplier<HttpClient> http, URI baseUrl, SecretSource secrets, String secretId) {
        this.http = http;
        String base = baseUrl.toString();
        this.engageUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/engage?ip=0&strict=1");
        this.secret = new MixpanelSecret<>(secrets, secretId, MixpanelCredentials::parse);
    }

    public MixpanelHttpEngage(HttpClient http, URI baseUrl, SecretSource secrets, String secretId) {
        this(() -> http, baseUrl, secrets, secretId);
    }

    /** From {@code MIXPANEL_REGION}, {@code MIXPANEL_API_URL} and {@code MIXPANEL_SECRET_ID}, as {@code /import}. */
    public static MixpanelHttpEngage fromEnv(Env env, SecretSource secrets, Supplier<HttpClient> http) {
        return new MixpanelHttpEngage(http, MixpanelHttpImport.baseUrl(env), secrets, env.required("MIXPANEL_SECRET_ID"));
    }

    public URI engageUri() {
        return engageUri;
    }

    @Override
    public Response send(List<byte[]> updates, Duration timeout) throws IOException, InterruptedException {
        String token = secret.credentials().projectToken();
        if (token == null) {
            throw new CredentialsException("the Mixpanel secret has no project_token, which /engage (profile "
                    + "updates) needs", false, null);
        }
        HttpRequest request = HttpRequest.newBuilder(engageUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonArray(updates, token)))
                .build();
        HttpResponse<String> r = http.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").flatMap(RetryAfter::parse));
    }

    @Override
    public void reloadCredentials() {
        secret.reload();
    }

    /**
     * {@code [u1,u2,...]} where each {@code {"$distinct_id":..}} becomes {@code {"$token":<token>,"$distinct_id":..}}.
     * An update is always a JSON object with at least one field (the profile mapper writes it).
     */
    static byte[] jsonArray(List<byte[]> updates, String token) {
        byte[] head = ("{\"$token\":" + quoted(token) + ",").getBytes(StandardCharsets.UTF_8);
        long size = 2;
        for (byte[] u : updates) {
            size += head.length + u.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, size));
        out.write('[');
        for (int i = 0; i < updates.size(); i++) {
            byte[] u = updates.get(i);
            if (u.length < 2 || u[0] != '{') {
                throw new IllegalArgumentException("a profile update is not a JSON object");
            }
            if (i > 0) {
                out.write(',');
            }
            out.write(head, 0, head.length);
            out.write(u, 1, u.length - 1);
        }
        out.write(']');
        return out.toByteArray();
    }

    private static String quoted(String token) {
        try {
            return Json.MAPPER.writeValueAsString(token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
