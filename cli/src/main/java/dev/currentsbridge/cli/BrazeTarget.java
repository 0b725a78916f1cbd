package dev.currentsbridge.cli;

import dev.currentsbridge.cli.sink.LoopbackHttp;
import dev.currentsbridge.standins.braze.BrazeFake;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where cohort changes go: Braze's real {@code /users/track} (REST endpoint + a file holding the REST API key)
 * or, in a dry run, the Braze emulator on loopback ({@link BrazeFake}, the one the tests use, writing what it
 * accepts to files).
 */
public final class BrazeTarget implements AutoCloseable {

    public static final String LOCAL_SECRET_ID = "local/braze-api-key";

    public static final Option ENDPOINT = Option.value("braze-rest-endpoint", "URL", null,
            "send cohort changes to this Braze REST endpoint (e.g. https://rest.iad-01.braze.com); needs --braze-api-key-file")
            .withEnv("BRAZE_REST_ENDPOINT");
    public static final Option KEY_FILE = Option.value("braze-api-key-file", "FILE", null,
            "file holding a Braze REST API key with users.track permission");

    private final BrazeFake sink;
    private final URI endpoint;
    private final String apiKey;
    private final String description;

    private BrazeTarget(BrazeFake sink, URI endpoint, String apiKey, String description) {
        this.sink = sink;
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.description = description;
    }

    public static BrazeTarget dryRun(Path dir, int port) {
        String key = "local-dry-run";
        BrazeFake sink = LoopbackHttp.start("Braze dry-run sink", port,
                p -> BrazeFake.start(p).acceptKey(key).recordTo(dir).keepNoHistory());
        return new BrazeTarget(sink, sink.endpoint(), key,
                "dry run: Braze /users/track bodies go to " + dir + " (sink " + sink.endpoint() + ")");
    }

    public static BrazeTarget from(Invocation inv, Path dryRunDir, int dryRunPort) {
        var endpoint = inv.lookup(ENDPOINT);
        var keyFile = inv.lookup(KEY_FILE);
        if (endpoint.isEmpty() && keyFile.isEmpty()) {
            return dryRun(dryRunDir, dryRunPort);
        }
        if (endpoint.isEmpty() || keyFile.isEmpty()) {
            throw new UsageException("the real Braze needs both --braze-rest-endpoint and --braze-api-key-file");
        }
        URI uri;
        try {
            uri = URI.create(endpoint.get());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--braze-rest-endpoint is not a URL: " + endpoint.get());
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new UsageException("--braze-rest-endpoint must start with https://, got " + endpoint.get());
        }
        String key;
        try {
            key = Files.readString(Path.of(keyFile.get())).strip();
        } catch (IOException e) {
            throw new CliException("cannot read Braze API key file " + keyFile.get() + ": " + e.getMessage());
        }
        if (key.isEmpty()) {
            throw new CliException("Braze API key file " + keyFile.get() + " is empty");
        }
        return new BrazeTarget(null, uri, key, "Braze " + uri + " (API key from " + keyFile.get() + ")");
    }

    public boolean isDryRun() {
        return sink != null;
    }

    public BrazeFake sink() {
        return sink;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The REST API key, for the local secret source only (never printed). */
    public String apiKey() {
        return apiKey;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (sink != null) {
            sink.close();
        }
    }
}
