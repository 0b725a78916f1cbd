package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.standins.faults.FaultQueue;
import dev.currentsbridge.standins.http.HttpRoute;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RouteTable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one Mixpanel emulator: tests, local mode, {@code bridge export --dry-run} and the benchmarks all talk to it.
 * It serves {@code POST /import} ({@link ImportRoute}) as Mixpanel documents it: HTTP Basic auth (service account
 * with {@code project_id}, API secret, or project token), JSON array or NDJSON, optional gzip, at most 2000 events
 * and 10 MB uncompressed per request ({@link BatchLimits}), each event checked by {@link ImportRules}, answered with
 * the documented bodies ({@link ImportBodies}). It records what it imported (deduplicated as Mixpanel does) and
 * every request; options write the accepted bodies to files ({@link #recordTo}), take scripted faults for the next
 * requests ({@link #enqueue}), or only count events ({@link #countOnly}, for the benchmarks). Further endpoints
 * are {@link HttpRoute}s {@linkplain #mount mounted} on the same server: {@code POST /engage} ({@link EngageRoute},
 * profile updates, configured and observed through {@link #engage()}) is one.
 */
public final class MixpanelFake implements AutoCloseable {

    public static final long MAX_BODY_BYTES = BatchLimits.MIXPANEL_MAX_BODY_BYTES;
    public static final int MAX_EVENTS = BatchLimits.MIXPANEL_MAX_EVENTS;

    /** What the next request gets instead of (or before) normal processing. */
    public sealed interface Fault {
        /** Answer this status with Mixpanel's documented body for it; optional Retry-After seconds. */
        record Status(int status, Integer retryAfterSeconds) implements Fault {
        }

        /** Answer 400 "request body too large" (the body-size error seen in the wild). */
        record BodyTooLarge400() implements Fault {
        }

        /** Process normally but also fail the records at these indexes (partial 400). */
        record FailIndexes(int[] indexes) implements Fault {
        }

        /** Wait, then process normally. */
        record Slow(Duration delay) implements Fault {
        }

        static Fault status(int status) {
            return new Status(status, null);
        }

        static Fault rateLimited(int retryAfterSeconds) {
            return new Status(429, retryAfterSeconds);
        }

        static Fault failIndexes(int... indexes) {
            return new FailIndexes(indexes);
        }

        static Fault slow(Duration d) {
            return new Slow(d);
        }

        static Fault bodyTooLarge400() {
            return new BodyTooLarge400();
        }
    }

    /** One request as the emulator saw it ({@code uncompressedBytes}: the body Mixpanel's limits apply to). */
    public record Request(int status, int events, long uncompressedBytes, boolean gzip, String authUser,
                          String projectId, long wireBytes) {
    }

    private final ImportSettings settings = new ImportSettings();
    private final ImportLedger ledger = new ImportLedger();
    private final FaultQueue<Fault> faults = new FaultQueue<>();
    private final ImportEndpoint endpoint = new ImportEndpoint(settings, ledger);
    private final RouteTable routes = new RouteTable(ImportBodies::documented);
    private final EngageEmulator engage = new EngageEmulator();
    private final DataDeletions deletions = new DataDeletions();
    private final LoopbackHttpServer server;

    private MixpanelFake(Integer port) {
        mount(new ImportRoute(settings, endpoint, faults));
        mount(new EngageRoute(engage));
        mount(new DataDeletionRoute(deletions));
        server = port == null ? null : new LoopbackHttpServer("Mixpanel emulator", port, routes);
    }

    /** On a free loopback port. */
    public static MixpanelFake start() {
        return new MixpanelFake(0);
    }

    /** On {@code port} (0: a free one); a taken port throws {@link java.io.UncheckedIOException}. */
    public static MixpanelFake start(int port) {
        return new MixpanelFake(port);
    }

    /** Without a server of its own: mount {@link #handler()} on another server, or use {@link #endpoint()}. */
    public static MixpanelFake detached() {
        return new MixpanelFake(null);
    }

    /** Base URL to configure as {@code MIXPANEL_API_URL}. */
    public String baseUrl() {
        if (server == null) {
            throw new IllegalStateException("a detached emulator has no server");
        }
        return server.uri().toString();
    }

    public URI importUri() {
        return URI.create(baseUrl() + "/import");
    }

    /** Serves one more endpoint on the same server. */
    public MixpanelFake mount(HttpRoute route) {
        routes.mount(route);
        return this;
    }

    /** Every mounted route, for a server other than the emulator's own. */
    public HttpHandler handler() {
        return routes;
    }

    /** The GDPR deletion API's state ({@code /api/app/data-deletions/v3.0}): tokens, tasks, requests, 429s. */
    public DataDeletions deletions() {
        return deletions;
    }

    ImportEndpoint endpoint() {
        return endpoint;
    }

    /** {@code POST /engage} (profile updates): its options, faults and what it applied. */
    public EngageEmulator engage() {
        return engage;
    }

    // ---- configuration -------------------------------------------------------------------------------

    /** Accept a service account (requires {@code ?project_id=<projectId>}). */
    public MixpanelFake acceptServiceAccount(String user, String secret, String projectId) {
        settings.acceptedUsers.put(user + ":" + secret, projectId);
        return this;
    }

    /**
     * Accept a project API secret or project token (username, empty password, no project id) on {@code /import},
     * and as {@code /engage}'s {@code $token}.
     */
    public MixpanelFake acceptUsername(String secretOrToken) {
        settings.acceptedUsers.put(secretOrToken + ":", "");
        engage.acceptToken(secretOrToken); // /engage's $token (an emulator cannot tell a token from an API secret)
        return this;
    }

    /** Accept any HTTP Basic credentials with a non-empty user (dry runs cannot know the real ones). */
    public MixpanelFake acceptAnyCredentials() {
        settings.anyCredentials = true;
        engage.acceptAnyToken(true);
        return this;
    }

    public MixpanelFake revokeAll() {
        settings.acceptedUsers.clear();
        settings.anyCredentials = false;
        engage.revokeAll();
        return this;
    }

    public MixpanelFake maxBodyBytes(long bytes) {
        settings.maxBodyBytes = bytes;
        return this;
    }

    public MixpanelFake maxEvents(int n) {
        settings.maxEvents = n;
        return this;
    }

    /** Refuse uncompressed bodies (a test's check that the client compresses; Mixpanel takes both). */
    public MixpanelFake requireGzip(boolean required) {
        settings.requireGzip = required;
        return this;
    }

    /** {@code "insert_id"} (the spec's key, default) or {@code "$insert_id"} (a prose example's) in failed_records. */
    public MixpanelFake failedRecordIdKey(String key) {
        settings.failedRecordIdKey = key;
        return this;
    }

    /** The clock of the "at most 1 hour in the future" rule. */
    public MixpanelFake clock(Supplier<Instant> clock) {
        settings.clock = clock;
        return this;
    }

    /** Events with these {@code $insert_id}s are refused on every request, like a deterministic validation error. */
    public MixpanelFake refuseInsertIds(Predicate<String> refused) {
        settings.refusedInsertIds = refused;
        return this;
    }

    /**
     * Write every body that passes the request-level checks to {@code dir} ({@link ImportRecorder}; {@code /engage}
     * updates to {@code engage-*.ndjson} beside them).
     */
    public MixpanelFake recordTo(Path dir) {
        settings.recordTo(dir);
        engage.recordTo(dir);
        return this;
    }

    /**
     * Request-level checks only (credentials, 10 MB, 2000 events counted by a byte scan), no per-event rules,
     * nothing kept but counters: so a benchmark measures the exporter, not the emulator.
     */
    public MixpanelFake countOnly() {
        settings.countOnly = true;
        return this;
    }

    /** In {@link #countOnly} mode: every {@code $insert_id} of an imported request goes to {@code ids} (null: stop). */
    public MixpanelFake onInsertIds(java.util.function.Consumer<String> ids) {
        settings.insertIds = ids;
        return this;
    }

    /**
     * Keep counters only ({@link #eventsImported}, {@link #readRequests}...), not the imported events or the
     * requests, so a long dry run or a large backfill does not hold them all in memory.
     */
    public MixpanelFake keepNoHistory() {
        settings.noHistory = true;
        engage.keepNoHistory();
        return this;
    }

    /** Called with every request once it is decided (before the answer is written). */
    public MixpanelFake onRequest(Consumer<Request> listener) {
        ledger.onRequest(listener);
        return this;
    }

    /** Faults for the next requests, one per request, in order. */
    public MixpanelFake enqueue(Fault... next) {
        faults.enqueue(next);
        return this;
    }

    public int pendingFaults() {
        return faults.pending();
    }

    // ---- observations --------------------------------------------------------------------------------

    /** Every event accepted, in arrival order (duplicates included, as raw export shows them). */
    public List<JsonNode> imported() {
        return ledger.imported();
    }

    /** Distinct events after Mixpanel's dedup (event, distinct_id, time, $insert_id). */
    public int importedUnique() {
        return ledger.unique();
    }

    public Set<String> importedInsertIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode e : imported()) {
            ids.add(e.path("properties").path("$insert_id").asText());
        }
        return ids;
    }

    /** Every request with its answer (none kept in {@link #countOnly} mode: see {@link #onRequest}). */
    public List<Request> requests() {
        return ledger.requests();
    }

    /** Requests that passed the request-level checks (their events were read, and recorded if recording). */
    public long readRequests() {
        return ledger.readRequests();
    }

    public long eventsImported() {
        return ledger.eventsImported();
    }

    public long eventsFailed() {
        return ledger.eventsFailed();
    }

    /** Where {@link #recordTo} writes; null when not recording. */
    public Path dir() {
        ImportRecorder r = settings.recorder;
        return r == null ? null : r.dir();
    }

    public void reset() {
        faults.clear();
        ledger.reset();
        engage.reset();
    }

    /** Mixpanel's documented body for a status. */
    public static String documentedBody(int status) {
        return ImportBodies.documented(status);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
