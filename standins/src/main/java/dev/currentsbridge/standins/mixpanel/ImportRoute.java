package dev.currentsbridge.standins.mixpanel;

import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.standins.faults.FaultQueue;
import dev.currentsbridge.standins.http.HttpRoute;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RequestBodies;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** {@code POST /import} over HTTP: takes the request off the wire, lets {@link ImportEndpoint} decide, answers. */
final class ImportRoute implements HttpRoute {

    private final ImportSettings settings;
    private final ImportEndpoint endpoint;
    private final FaultQueue<MixpanelFake.Fault> faults;

    ImportRoute(ImportSettings settings, ImportEndpoint endpoint, FaultQueue<MixpanelFake.Fault> faults) {
        this.settings = settings;
        this.endpoint = endpoint;
        this.faults = faults;
    }

    @Override
    public String path() {
        return "/import";
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        MixpanelFake.Fault fault = faults.poll();
        if (fault instanceof MixpanelFake.Fault.Slow slow) {
            sleep(slow.delay());
        }
        long limit = settings.maxBodyBytes;
        byte[] raw = RequestBodies.raw(ex, 2 * limit + 65536);
        boolean gzip = RequestBodies.gzip(ex);
        byte[] body;
        try {
            body = gzip ? RequestBodies.gunzip(raw, limit) : raw;
        } catch (IOException e) {
            body = null;
        }
        Map<String, String> query = query(ex.getRequestURI());
        String[] auth = basicAuth(ex.getRequestHeaders().getFirst("Authorization"));
        ImportEndpoint.Answer a = endpoint.process(new ImportEndpoint.Call(auth == null ? null : auth[0],
                auth == null ? null : auth[1], query.get("project_id"), "1".equals(query.get("strict")), gzip,
                raw.length, body), fault);
        if (a.retryAfterSeconds() != null) {
            ex.getResponseHeaders().set("Retry-After", String.valueOf(a.retryAfterSeconds()));
        }
        LoopbackHttpServer.respond(ex, a.status(), ImportBodies.contentType(a.status()),
                a.body().getBytes(StandardCharsets.UTF_8));
    }

    private static String[] basicAuth(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? new String[] {decoded, ""}
                : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new HashMap<>();
        String q = uri.getRawQuery();
        if (q == null) {
            return m;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
