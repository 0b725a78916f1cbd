package dev.currentsbridge.cli.sink;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.currentsbridge.cli.CliException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/** A JDK HTTP server bound to 127.0.0.1 only (local mode never listens on other interfaces). */
public final class LoopbackHttp implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private LoopbackHttp(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on {@code port} (0 picks a free one) with {@code handler} answering every path. */
    public static LoopbackHttp start(String what, int port, HttpHandler handler) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
            s.setExecutor(ex);
            s.createContext("/", exchange -> {
                try (exchange) {
                    handler.handle(exchange);
                } catch (RuntimeException | IOException e) {
                    // A bug in a stand-in must not hang the client: answer 500 if nothing was sent yet.
                    try {
                        respond(exchange, 500, "{\"message\":\"internal error in local " + what + "\"}");
                    } catch (IOException | RuntimeException ignored) {
                        // the response was already started
                    }
                }
            });
            s.start();
            return new LoopbackHttp(s, ex);
        } catch (BindException e) {
            throw new CliException("cannot start the local " + what + " on 127.0.0.1:" + port + ": port in use");
        } catch (IOException e) {
            throw new CliException("cannot start the local " + what + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** The request body, gunzipped when {@code Content-Encoding: gzip}; at most {@code limit} bytes + 1 read. */
    public static byte[] body(HttpExchange exchange, long limit) throws IOException {
        InputStream in = exchange.getRequestBody();
        String enc = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (enc != null && enc.equalsIgnoreCase("gzip")) {
            in = new GZIPInputStream(in);
        }
        return read(in, limit);
    }

    /** The request body as sent (no decoding); at most {@code limit} bytes + 1 read. */
    public static byte[] bodyRaw(HttpExchange exchange, long limit) throws IOException {
        return read(exchange.getRequestBody(), limit);
    }

    private static byte[] read(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[16384];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buf.write(chunk, 0, n);
            if (buf.size() > limit) {
                in.transferTo(OutputStream.nullOutputStream());
                break;
            }
        }
        return buf.toByteArray();
    }

    public static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
    }
}
