package dev.currentsbridge.cli.sink;

import dev.currentsbridge.standins.recording.OutputFiles;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the dry-run sinks share: a loopback server (127.0.0.1 only) whose accepted request bodies become numbered
 * files in one folder, and a count of the requests it accepted. Subclasses speak one partner API in {@link #handle}.
 */
public abstract class DryRunSink implements AutoCloseable {

    private final OutputFiles files;
    private final LoopbackHttp http;
    private final AtomicLong requests = new AtomicLong();

    /** Starts listening at once: a request can only come from a client given {@link #url}, i.e. after construction. */
    protected DryRunSink(String what, Path dir, String filePrefix, String fileSuffix, int port) {
        this.files = new OutputFiles(dir, filePrefix, fileSuffix);
        this.http = LoopbackHttp.start(what, port, this::handle);
    }

    protected abstract void handle(HttpExchange ex) throws IOException;

    /** Counts a request that passed the API's request-level checks. */
    protected final void countRequest() {
        requests.incrementAndGet();
    }

    /** Writes one accepted body as the next numbered file. */
    protected final void write(byte[] body) throws IOException {
        files.write(body);
    }

    /** Base URL to give the function as the partner's endpoint. */
    public String url() {
        return http.url();
    }

    public Path dir() {
        return files.dir();
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        http.close();
    }
}
