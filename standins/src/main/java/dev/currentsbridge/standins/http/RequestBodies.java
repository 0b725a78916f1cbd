package dev.currentsbridge.standins.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;

/** Reading request bodies with a bound, so a huge request costs the stand-in its limit + 1 bytes, not its memory. */
public final class RequestBodies {

    private RequestBodies() {
    }

    public static boolean gzip(HttpExchange exchange) {
        return "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
    }

    /** The body as sent (no decoding); at most {@code limit} + 1 bytes kept, the rest drained. */
    public static byte[] raw(HttpExchange exchange, long limit) throws IOException {
        return read(exchange.getRequestBody(), limit);
    }

    /** Gunzips {@code raw}; at most {@code limit} + 1 bytes kept (a longer result means "over the limit"). */
    public static byte[] gunzip(byte[] raw, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
            return read(in, limit);
        }
    }

    /** At most {@code limit} + 1 bytes of {@code in}; the rest is read and dropped. */
    public static byte[] read(InputStream in, long limit) throws IOException {
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
}
