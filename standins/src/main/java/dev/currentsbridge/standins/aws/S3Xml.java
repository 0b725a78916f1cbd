package dev.currentsbridge.standins.aws;

import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** The S3 REST protocol's small pieces the stub speaks: XML elements and errors, query strings, list tokens. */
final class S3Xml {

    private S3Xml() {
    }

    /** S3's {@code encoding-type=url}: form encoding (a space is '+', '+' is %2B) with '/' left as it is. */
    static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** Opaque to clients, as S3's are: the last key of the previous page. */
    static String encodeToken(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("v1:" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            return s.startsWith("v1:") ? s.substring(3) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            q.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    static void element(StringBuilder x, String name, String value) {
        x.append('<').append(name).append('>').append(xml(value)).append("</").append(name).append('>');
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static void error(HttpExchange ex, int status, String code, String message, String extra) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + xml(message)
                + "</Message>" + (extra == null ? "" : extra) + "<RequestId>stub</RequestId><HostId>stub</HostId></Error>";
        ex.getResponseHeaders().set("x-amz-request-id", "stub");
        LoopbackHttpServer.respond(ex, status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }
}
