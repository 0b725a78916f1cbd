package dev.currentsbridge.standins.braze;

import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.standins.http.HttpRoute;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code POST /users/track} over HTTP: takes the request off the wire, lets {@link TrackEndpoint} decide, answers,
 * late or cut short when a fault says so.
 */
final class TrackRoute implements HttpRoute {

    private final TrackEndpoint endpoint;

    TrackRoute(TrackEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String path() {
        return "/users/track";
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        byte[] raw = ex.getRequestBody().readAllBytes();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        TrackEndpoint.Answer a = endpoint.process(auth, raw);
        a.headers().forEach(ex.getResponseHeaders()::set);
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (a.presentation() instanceof BrazeFake.Fault.Slow slow) {
            sleep(slow.delay());
        }
        if (a.presentation() instanceof BrazeFake.Fault.Reset) {
            cutShort(ex, body);
            return;
        }
        ex.sendResponseHeaders(a.status(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Announces the body, sends half of it, drops the connection: the client sees a truncated body. */
    private static void cutShort(HttpExchange ex, byte[] body) throws IOException {
        byte[] announced = body.length >= 2 ? body : "{\"message\":\"success\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(201, announced.length);
        OutputStream out = ex.getResponseBody();
        out.write(announced, 0, announced.length / 2);
        out.flush();
        ex.close();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
