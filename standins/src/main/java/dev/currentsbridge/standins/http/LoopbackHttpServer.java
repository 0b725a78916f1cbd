package dev.currentsbridge.standins.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one loopback HTTP server of the stand-ins, local mode and the benchmarks: the JDK server bound to 127.0.0.1
 * only (never another interface), on a free port or a chosen one, serving each request on its own virtual thread.
 * A handler that throws gets a 500 (when nothing was sent yet) instead of a client left hanging.
 */
public final class LoopbackHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** On a free port. */
    public LoopbackHttpServer(HttpHandler handler) {
        this("stub", 0, handler);
    }

    /**
     * @param what names the server in the 500 body a handler bug produces
     * @param port 0 picks a free one
     * @throws UncheckedIOException wrapping a {@link java.net.BindException} when the port is taken
     */
    public LoopbackHttpServer(String what, int port, HttpHandler handler) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                // The client went away or the handler has a bug: answer 500 if nothing was sent yet.
                try {
                    respond(exchange, 500, "application/json", ("{\"message\":\"internal error in " + what + ": "
                            + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException ignored) {
                    // headers already sent
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A JSON answer. */
    public static void respondJson(HttpExchange ex, int status, String json) throws IOException {
        respond(ex, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
