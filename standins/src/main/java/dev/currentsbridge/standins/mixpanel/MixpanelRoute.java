package dev.currentsbridge.standins.mixpanel;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * One Mixpanel endpoint of the emulator ({@code /import} today; {@code /engage} or the GDPR API would be further
 * small classes), mounted on the emulator's one server by {@link MixpanelFake#mount}.
 */
public interface MixpanelRoute {

    /** The path served, e.g. {@code /import}. */
    String path();

    /** The method the path takes (others get 405). */
    default String method() {
        return "POST";
    }

    void handle(HttpExchange exchange) throws IOException;
}
