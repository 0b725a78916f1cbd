package dev.currentsbridge.standins.mixpanel;

import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.standins.http.HttpRoute;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RequestBodies;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /engage} over HTTP: takes the request off the wire (optionally gzip-compressed; bodies kept up to the
 * {@code /import} body limit, a larger one answered 413), lets {@link EngageEmulator} decide, answers.
 */
final class EngageRoute implements HttpRoute {

    private final EngageEmulator engage;

    EngageRoute(EngageEmulator engage) {
        this.engage = engage;
    }

    @Override
    public String path() {
        return "/engage";
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        MixpanelFake.Fault fault = engage.nextFault();
        if (fault instanceof MixpanelFake.Fault.Slow slow) {
            ImportRoute.sleep(slow.delay());
        }
        long limit = MixpanelFake.MAX_BODY_BYTES;
        byte[] raw = RequestBodies.raw(ex, 2 * limit + 65536);
        byte[] body;
        try {
            body = RequestBodies.gzip(ex) ? RequestBodies.gunzip(raw, limit) : raw;
        } catch (IOException e) {
            body = null;
        }
        EngageEmulator.Answer a;
        if (body != null && body.length > limit) {
            a = new EngageEmulator.Answer(413, ImportBodies.tooLarge(limit), null);
        } else {
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            a = engage.process(body, query.get("ip"), "1".equals(query.get("strict")), fault);
        }
        if (a.retryAfterSeconds() != null) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(a.retryAfterSeconds()));
        }
        LoopbackHttpServer.respond(ex, a.status(), EngageBodies.contentType(a.body()),
                a.body().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String q) {
        Map<String, String> m = new HashMap<>();
        if (q == null) {
            return m;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }
}
