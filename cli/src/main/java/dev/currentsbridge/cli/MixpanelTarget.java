package dev.currentsbridge.cli;

import dev.currentsbridge.cli.sink.LoopbackHttp;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.adapter.MixpanelCredentials;
import dev.currentsbridge.export.adapter.MixpanelHttpEngage;
import dev.currentsbridge.export.adapter.MixpanelHttpDeletions;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where Mixpanel events go: the real {@code /import} (credentials from a JSON file shaped like the
 * {@code MIXPANEL_SECRET_ID} secret) or, in a dry run, the Mixpanel emulator on loopback ({@link MixpanelFake}, the
 * one the tests use, writing what it accepts to files). Both go through the same
 * {@link MixpanelHttpImport} the Lambda uses.
 */
public final class MixpanelTarget implements AutoCloseable {

    public static final String LOCAL_SECRET_ID = "local/mixpanel";
    private static final String DRY_RUN_TOKEN = "local-dry-run";
    private static final String DRY_RUN_SECRET = "{\"project_token\":\"" + DRY_RUN_TOKEN
            + "\",\"gdpr_oauth_token\":\"" + DRY_RUN_TOKEN + "\"}";

    public static final Option SECRET_FILE = Option.value("mixpanel-secret-file", "FILE", null,
            "send to the real Mixpanel with this JSON credentials file: {\"service_account_user\",\"service_account_secret\",\"project_id\"} or {\"api_secret\"} or {\"project_token\"}; profile updates (/engage) need \"project_token\" beside the others");
    public static final Option REGION = Option.value("mixpanel-region", "US|EU|IN", "US",
            "Mixpanel data residency of the project").withEnv("MIXPANEL_REGION");
    public static final Option URL = Option.value("mixpanel-url", "URL", null,
            "Mixpanel base URL override (a proxy, a test server)").withEnv("MIXPANEL_API_URL");

    private final MixpanelFake sink;
    private final URI baseUrl;
    private final SecretSource secrets;
    private final String description;
    private final URI gdprBaseUrl;

    private MixpanelTarget(MixpanelFake sink, URI baseUrl, URI gdprBaseUrl, SecretSource secrets, String description) {
        this.sink = sink;
        this.baseUrl = baseUrl;
        this.gdprBaseUrl = gdprBaseUrl;
        this.secrets = secrets;
        this.description = description;
    }

    public static MixpanelTarget dryRun(Path dir, int port) {
        MixpanelFake sink = LoopbackHttp.start("Mixpanel dry-run sink", port,
                p -> MixpanelFake.start(p).acceptUsername(DRY_RUN_TOKEN).recordTo(dir).keepNoHistory());
        sink.deletions().accept(DRY_RUN_TOKEN, DRY_RUN_TOKEN).recordTo(dir);
        return new MixpanelTarget(sink, URI.create(sink.baseUrl()), URI.create(sink.baseUrl()),
                new MapSecretSource(Map.of(LOCAL_SECRET_ID, DRY_RUN_SECRET)),
                "dry run: Mixpanel /import, /engage and deletion bodies go to " + dir + " (sink " + sink.baseUrl() + ")");
    }

    public static MixpanelTarget real(Path secretFile, String region, String urlOverride) {
        String json;
        try {
            json = Files.readString(secretFile);
        } catch (IOException e) {
            throw new CliException("cannot read Mixpanel credentials file " + secretFile + ": " + e.getMessage());
        }
        try {
            MixpanelCredentials.parse(json);
        } catch (MixpanelImport.CredentialsException e) {
            throw new CliException("Mixpanel credentials file " + secretFile + ": " + e.getMessage());
        }
        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIXPANEL_REGION", region);
        if (urlOverride != null) {
            env.put("MIXPANEL_API_URL", urlOverride);
        }
        URI base;
        URI gdpr;
        if (urlOverride != null) {
            env.put("MIXPANEL_GDPR_URL", urlOverride); // a test server serves both APIs
        }
        try {
            base = MixpanelHttpImport.baseUrl(Env.of(env));
            gdpr = MixpanelHttpDeletions.baseUrl(Env.of(env));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return new MixpanelTarget(null, base, gdpr, new MapSecretSource(Map.of(LOCAL_SECRET_ID, json)),
                "Mixpanel " + base + " (credentials from " + secretFile + ")");
    }

    /** The dry-run sink unless a credentials file is configured. */
    public static MixpanelTarget from(Invocation inv, Path dryRunDir, int dryRunPort) {
        return inv.lookup(SECRET_FILE)
                .map(f -> real(Path.of(f), inv.get(REGION), inv.lookup(URL).orElse(null)))
                .orElseGet(() -> dryRun(dryRunDir, dryRunPort));
    }

    public boolean isDryRun() {
        return sink != null;
    }

    public MixpanelFake sink() {
        return sink;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public SecretSource secrets() {
        return secrets;
    }

    public String description() {
        return description;
    }

    /** Environment a handler reads to reach this target (the GDPR API at the same base URL: see gdprBaseUrl). */
    public Map<String, String> env() {
        return Map.of("MIXPANEL_API_URL", baseUrl.toString(), "MIXPANEL_SECRET_ID", LOCAL_SECRET_ID,
                "MIXPANEL_GDPR_URL", gdprBaseUrl.toString());
    }

    /** Mixpanel's GDPR deletion API for this target (the dry-run sink records the bodies as deletion-*.json). */
    public MixpanelHttpDeletions deletionsClient() {
        return new MixpanelHttpDeletions(SharedHttpClient::get, gdprBaseUrl, secrets, LOCAL_SECRET_ID);
    }

    public MixpanelHttpImport client() {
        return new MixpanelHttpImport(SharedHttpClient.get(), baseUrl, secrets, LOCAL_SECRET_ID);
    }

    /** {@code /engage} (profile updates) on the same host with the same secret (its {@code project_token}). */
    public MixpanelHttpEngage engageClient() {
        return new MixpanelHttpEngage(SharedHttpClient.get(), baseUrl, secrets, LOCAL_SECRET_ID);
    }

    @Override
    public void close() {
        if (sink != null) {
            sink.close();
        }
    }
}
