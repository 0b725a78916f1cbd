package dev.currentsbridge.standins.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * One endpoint of an emulator (Mixpanel's {@code /import}, Braze's {@code /users/track}; later {@code /engage}, the
 * GDPR API or Braze's partner cohort import would be further small classes), mounted on the emulator's one server
 * by its {@link RouteTable}.
 */
public interface HttpRoute {

    /** The path served, e.g. {@code /import}. */
    String path();

    /** The method the path takes (others get 405). */
    default String method() {
        return "POST";
    }

    /** Whether the route takes {@code method} (default: only {@link #method()}). */
    default boolean accepts(String method) {
        return method().equals(method);
    }

    /** Whether the route also serves {@code <path>/<id>} (e.g. a status GET by task id); default no. */
    default boolean servesSubpaths() {
        return false;
    }

    void handle(HttpExchange exchange) throws IOException;
}
