package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.retry.RetryAfter;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.port.MixpanelImport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.util.function.Supplier;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Mixpanel {@code /import} over the shared JDK HTTP client: a JSON array, gzip-compressed, {@code strict=1},
 * HTTP Basic auth from the credentials secret (read once, cached, re-read on request after a 401, and a minute
 * after it was found not to parse: see {@code CachingSecretSource#unusable}).
 */
public final class MixpanelHttpImport implements MixpanelImport {

    public static final Map<String, String> REGION_BASE_URLS = Map.of(
            "US", "https://api.mixpanel.com",
            "EU", "https://api-eu.mixpanel.com",
            "IN", "https://api-in.mixpanel.com");

    private final Supplier<HttpClient> http;
    private final URI importUri;
    private final MixpanelSecret<MixpanelCredentials> secret;

    public MixpanelHttpImport(HttpClient http, URI baseUrl, SecretSource secrets, String secretId) {
        this(() -> http, baseUrl, secrets, secretId);
    }

    /** {@code http} is asked for at each request (the Lambda passes the shared client, maybe still being built). */
    public MixpanelHttpImport(Supplier<HttpClient> http, URI baseUrl, SecretSource secrets, String secretId) {
        this.http = http;
        String base = baseUrl.toString();
        this.importUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/import");
        this.secret = new MixpanelSecret<>(secrets, secretId, MixpanelCredentials::parse);
    }

    /** From {@code MIXPANEL_REGION}, {@code MIXPANEL_API_URL} and {@code MIXPANEL_SECRET_ID}. */
    public static MixpanelHttpImport fromEnv(Env env, SecretSource secrets, HttpClient http) {
        return fromEnv(env, secrets, () -> http);
    }

    public static MixpanelHttpImport fromEnv(Env env, SecretSource secrets, Supplier<HttpClient> http) {
        return new MixpanelHttpImport(http, baseUrl(env), secrets, env.required("MIXPANEL_SECRET_ID"));
    }

    public static URI baseUrl(Env env) {
        Optional<String> override = env.optional("MIXPANEL_API_URL");
        if (override.isPresent()) {
            return URI.create(override.get());
        }
        String region = env.get("MIXPANEL_REGION", "US").toUpperCase(Locale.ROOT);
        String base = REGION_BASE_URLS.get(region);
        if (base == null) {
            throw new ConfigException("MIXPANEL_REGION must be US, EU or IN, got '" + region + "'");
        }
        return URI.create(base);
    }

    public URI importUri() {
        return importUri;
    }

    @Override
    public Response send(List<byte[]> events, Duration timeout) throws IOException, InterruptedException {
        MixpanelCredentials c = secret.credentials();
        String query = "strict=1" + (c.projectId() == null ? ""
                : "&project_id=" + URLEncoder.encode(c.projectId(), StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(importUri + "?" + query))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .header("Accept", "application/json")
                .header("Authorization", c.authorization())
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipJsonArray(events)))
                .build();
        HttpResponse<String> r = http.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").flatMap(MixpanelHttpImport::retryAfter));
    }

    @Override
    public void reloadCredentials() {
        secret.reload();
    }

    /** SnapStart priming: loads the request-building, gzip and HTTP classes without sending anything. */
    public void prime() {
        byte[] sample = "{\"event\":\"warm\",\"properties\":{\"time\":0}}".getBytes(StandardCharsets.UTF_8);
        gzipJsonArray(List.of(sample, sample));
        HttpRequest.newBuilder(importUri).timeout(Duration.ofSeconds(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sample)).build();
        retryAfter("Wed, 21 Oct 2015 07:28:00 GMT");
    }

    /** {@code [e1,e2,...]} gzip-compressed, written straight into the compressor, at {@link #GZIP_LEVEL}. */
    static byte[] gzipJsonArray(List<byte[]> events) {
        return gzipJsonArray(events, GZIP_LEVEL);
    }

    /**
     * Deflate level 1, not the JDK's default 6: gzip was the largest share of the exporter's CPU per event; level 1
     * compresses a 2000-event batch 1.4-2.4x faster for 27% more bytes, and the exporter's CPU per event fell from
     * 17.5 to 12-14 us (benchmarks GzipBenchmark and ExportEndToEnd, docs/PERFORMANCE.md). Lambda bills CPU time,
     * not bytes sent.
     */
    public static final int GZIP_LEVEL = java.util.zip.Deflater.BEST_SPEED;

    /** The request body at any deflate level: {@code GzipBenchmark} compares levels on exactly this code. */
    public static byte[] gzipJsonArray(List<byte[]> events, int level) {
        long raw = 2;
        for (byte[] e : events) {
            raw += e.length + 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, raw / 4 + 64));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write('[');
            for (int i = 0; i < events.size(); i++) {
                if (i > 0) {
                    gz.write(',');
                }
                gz.write(events.get(i));
            }
            gz.write(']');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Seconds or an HTTP date (RFC 9110), by the one parser. */
    static Optional<Duration> retryAfter(String value) {
        return RetryAfter.parse(value);
    }
}
