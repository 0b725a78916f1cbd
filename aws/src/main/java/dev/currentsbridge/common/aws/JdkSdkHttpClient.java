package dev.currentsbridge.common.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An AWS SDK v2 {@link SdkHttpClient} over {@link java.net.http.HttpClient}.
 *
 * <p>Why: the function already needs an HTTP client for Mixpanel and Braze. Shipping a second one
 * (Apache, Netty or URLConnection) for the SDK costs jar size, class loading at cold start and a second
 * connection pool. This adapter lets every SDK client ride on the same JDK client.
 *
 * <p>Request bodies are buffered (SDK requests here are small: SQS batches, DynamoDB items, secrets);
 * response bodies are streamed, so an S3 object of any size is read incrementally.
 */
public final class JdkSdkHttpClient implements SdkHttpClient {

    /** Headers {@link java.net.http.HttpClient} sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final Supplier<HttpClient> http;
    private final Duration requestTimeout;

    public JdkSdkHttpClient(HttpClient http, Duration requestTimeout) {
        this(() -> http, requestTimeout);
    }

    /**
     * {@code http} is asked for the client at each request, not here: SDK clients can then be built while the
     * shared client is still being built on another thread (see {@code SharedHttpClient.startBuilding}).
     */
    public JdkSdkHttpClient(Supplier<HttpClient> http, Duration requestTimeout) {
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        SdkHttpRequest sdk = request.httpRequest();
        HttpRequest.Builder b = HttpRequest.newBuilder(sdk.getUri()).timeout(requestTimeout);
        for (Map.Entry<String, List<String>> h : sdk.headers().entrySet()) {
            if (RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            for (String v : h.getValue()) {
                b.header(h.getKey(), v);
            }
        }
        Optional<ContentStreamProvider> body = request.contentStreamProvider();
        HttpRequest.BodyPublisher publisher = body.isPresent()
                ? HttpRequest.BodyPublishers.ofByteArray(readAll(body.get()))
                : HttpRequest.BodyPublishers.noBody();
        b.method(sdk.method().name(), publisher);
        HttpRequest built = b.build();
        return new Call(built);
    }

    private static byte[] readAll(ContentStreamProvider provider) {
        try (InputStream in = provider.newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String clientName() {
        return "JdkHttpClient";
    }

    @Override
    public void close() {
        // The shared HttpClient outlives any one SDK client.
    }

    private final class Call implements ExecutableHttpRequest {
        private final HttpRequest request;
        private volatile CompletableFuture<HttpResponse<InputStream>> inFlight;

        Call(HttpRequest request) {
            this.request = request;
        }

        @Override
        public HttpExecuteResponse call() throws IOException {
            inFlight = http.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<InputStream> r;
            try {
                r = inFlight.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException(cause);
            }
            SdkHttpResponse.Builder resp = SdkHttpResponse.builder().statusCode(r.statusCode());
            r.headers().map().forEach((k, v) -> {
                if (!k.startsWith(":")) {
                    resp.putHeader(k, v);
                }
            });
            InputStream bodyStream = r.body();
            return HttpExecuteResponse.builder()
                    .response(resp.build())
                    .responseBody(AbortableInputStream.create(bodyStream, () -> closeQuietly(bodyStream)))
                    .build();
        }

        @Override
        public void abort() {
            CompletableFuture<?> f = inFlight;
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // aborting: nothing to do
        }
    }
}
