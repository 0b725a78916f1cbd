package dev.currentsbridge.bench.harness;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A PROPOSAL, measured by the cold-start harness ({@code --prime-deep}): priming that runs the two request paths
 * the current {@code beforeCheckpoint} leaves cold, still without any network traffic and without reading any
 * secret or credential into the snapshot:
 * <ol>
 *   <li>one {@code GetSecretValue} through a Secrets Manager client configured like production
 *       ({@link AwsClients}) but over an in-memory HTTP client answering a canned response: loads and runs the
 *       SDK's marshalling, signing, endpoint rules, interceptors and JSON unmarshalling;</li>
 *   <li>one gzip POST over the shared {@link java.net.http.HttpClient} to a loopback socket opened and closed
 *       here ({@code Connection: close}, so no pooled connection survives into the snapshot).</li>
 * </ol>
 * Candidates for {@code SecretsManagerSecretSource.warmUp()} and {@code MixpanelHttpImport.warmUp()}.
 */
public final class DeepPriming {

    private DeepPriming() {
    }

    public static void primeAll(String region) {
        primeSecretsManagerPipeline(region);
        primeHttpClient();
    }

    public static void primeSecretsManagerPipeline(String region) {
        String canned = "{\"ARN\":\"arn:aws:secretsmanager:" + region + ":000000000000:secret:priming-AbCdEf\","
                + "\"Name\":\"priming\",\"SecretString\":\"{}\",\"VersionId\":\"priming\"}";
        AwsClients aws = new AwsClients(Region.of(region),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")),
                new CannedHttpClient(canned), Env.of(Map.of()));
        try (SecretsManagerClient client = aws.secretsManager()) {
            client.getSecretValue(r -> r.secretId("priming"));
        }
    }

    /** One POST like a Mixpanel import (gzip body, JSON answer) to a one-shot loopback responder. */
    public static void primeHttpClient() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread responder = Thread.ofPlatform().daemon().start(() -> answerOnce(server));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write("[{\"event\":\"priming\",\"properties\":{\"time\":0}}]".getBytes(StandardCharsets.UTF_8));
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/import?strict=1"))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .header("Content-Encoding", "gzip")
                    .header("Authorization", "Basic cHJpbWluZzo=")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray()))
                    .build();
            HttpResponse<String> r = SharedHttpClient.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            r.headers().firstValue("Retry-After");
            responder.join(5_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answerOnce(ServerSocket server) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                head.append((char) c);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            byte[] body = "{\"code\":200,\"num_records_imported\":1,\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException ignored) {
            // priming only: a failure here costs warmth, never correctness
        }
    }

    /** An SDK HTTP client that never opens a socket: every request gets the same 200 JSON answer. */
    static final class CannedHttpClient implements SdkHttpClient {
        private final byte[] body;

        CannedHttpClient(String body) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    if (request.contentStreamProvider().isPresent()) {
                        try (InputStream in = request.contentStreamProvider().get().newStream()) {
                            in.readAllBytes();
                        }
                    }
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                                    .putHeader("x-amzn-RequestId", "priming").build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public String clientName() {
            return "priming";
        }

        @Override
        public void close() {
        }
    }
}
