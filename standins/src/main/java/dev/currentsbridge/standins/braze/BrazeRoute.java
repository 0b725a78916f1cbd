package dev.currentsbridge.standins.braze;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * One Braze endpoint of the emulator ({@code /users/track} today; the partner cohort import would be another small
 * class), mounted on the emulator's one server by {@link BrazeFake#mount}.
 */
public interface BrazeRoute {

    /** The path served, e.g. {@code /users/track}. */
    String path();

    /** The method the path takes (others get 405). */
    default String method() {
        return "POST";
    }

    void handle(HttpExchange exchange) throws IOException;
}
