package dev.currentsbridge.cli.sink;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.function.IntFunction;

/**
 * Starting local mode's loopback servers ({@link LoopbackHttpServer}, 127.0.0.1 only): a port in use or another
 * failure to listen becomes a {@link CliException} naming the server, not a stack trace.
 */
public final class LoopbackHttp {

    private LoopbackHttp() {
    }

    /** Runs {@code starter} with {@code port} (0 picks a free one). */
    public static <T> T start(String what, int port, IntFunction<T> starter) {
        try {
            return starter.apply(port);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException) {
                throw new CliException("cannot start the local " + what + " on 127.0.0.1:" + port + ": port in use");
            }
            throw new CliException("cannot start the local " + what + ": " + e.getCause().getMessage(), e);
        }
    }
}
