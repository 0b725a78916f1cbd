package dev.currentsbridge.cli.export;

import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SQS as seen through a connection whose credentials expire mid-run: every request is passed on to the real queue
 * (ElasticMQ) until {@code sendBatchesAllowed} SendMessageBatch requests went through; later ones get SQS's 403
 * {@code ExpiredToken} in the JSON protocol, as the service answers a session token that ran out.
 */
final class SqsCutOff implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect",
            "transfer-encoding", "upgrade");

    private final URI target;
    private final int sendBatchesAllowed;
    private final AtomicInteger sendBatches = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();
    private final LoopbackHttpServer server;

    SqsCutOff(URI target, int sendBatchesAllowed) {
        this.target = target;
        this.sendBatchesAllowed = sendBatchesAllowed;
        this.server = new LoopbackHttpServer(this::handle);
    }

    URI endpoint() {
        return server.uri();
    }

    int refused() {
        return Math.max(0, sendBatches.get() - sendBatchesAllowed);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String operation = ex.getRequestHeaders().getFirst("X-Amz-Target");
        if ("AmazonSQS.SendMessageBatch".equals(operation) && sendBatches.incrementAndGet() > sendBatchesAllowed) {
            LoopbackHttpServer.respond(ex, 403, "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazon.coral.service#ExpiredTokenException\",\"message\":\"The security token included in the request is expired\"}"
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> forward.header(name, v));
            }
        });
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String type = answer.headers().firstValue("content-type").orElse("application/x-amz-json-1.0");
        LoopbackHttpServer.respond(ex, answer.statusCode(), type, answer.body());
    }

    @Override
    public void close() {
        server.close();
    }

}
