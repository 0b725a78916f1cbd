package dev.currentsbridge.standins.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The routes of one emulator's server: a request goes to the route of its path (a trailing slash ignored), an unknown
 * path gets 404 and a known path with another method 405, each with the partner's own error body.
 */
public final class RouteTable implements HttpHandler {

    private final Map<String, HttpRoute> routes = new ConcurrentHashMap<>();
    private final IntFunction<String> errorBody;

    /** @param errorBody the partner's JSON body for 404 and 405 */
    public RouteTable(IntFunction<String> errorBody) {
        this.errorBody = errorBody;
    }

    public void mount(HttpRoute route) {
        routes.put(route.path(), route);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String exact = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HttpRoute route = routes.get(exact);
        if (route == null && exact.lastIndexOf('/') > 0) {
            HttpRoute parent = routes.get(exact.substring(0, exact.lastIndexOf('/')));
            route = parent != null && parent.servesSubpaths() ? parent : null;
        }
        int refusal = route == null ? 404 : route.accepts(ex.getRequestMethod()) ? 0 : 405;
        if (refusal != 0) {
            RequestBodies.raw(ex, 0);
            LoopbackHttpServer.respond(ex, refusal, "application/json",
                    errorBody.apply(refusal).getBytes(StandardCharsets.UTF_8));
            return;
        }
        route.handle(ex);
    }
}
