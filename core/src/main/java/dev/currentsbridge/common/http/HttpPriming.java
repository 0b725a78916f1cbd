package dev.currentsbridge.common.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * SnapStart priming of the shared {@link java.net.http.HttpClient}: one gzip JSON POST, like a Mixpanel import
 * or a Braze {@code /users/track}, to a one-shot responder on a loopback socket opened and closed here. The
 * answer says {@code Connection: close}, so no pooled connection survives into the snapshot. Any failure only
 * costs warmth, never correctness.
 */
public final class HttpPriming {

    private HttpPriming() {
    }

    public static void primePost() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread responder = Thread.ofPlatform().daemon().start(() -> answerOnce(server));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write("[{\"event\":\"priming\",\"properties\":{\"time\":0}}]".getBytes(StandardCharsets.UTF_8));
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/priming"))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray()))
                    .build();
            HttpResponse<String> r = SharedHttpClient.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            r.headers().firstValue("Retry-After");
            responder.join(5_000);
        } catch (IOException e) {
            // priming only
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
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            byte[] body = "{\"code\":200,\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException ignored) {
            // priming only
        }
    }
}
