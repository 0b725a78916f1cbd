package dev.currentsbridge.cohorts;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.adapter.CohortTable;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Both cohort handlers wired to a store (in memory or DynamoDB on dynalite), a loopback Braze fake, a test
 * clock and a recording sleeper; plus builders for API Gateway v2 events. One data import key is created.
 */
final class CohortHarness implements AutoCloseable {

    static final String BRAZE_KEY = "braze-rest-key";
    static final String ATTRIBUTE = "Mixpanel_Cohorts";

    final CohortState store;
    final BrazeFake braze;
    final ManualClock clock = new ManualClock();
    final List<Duration> sleeps = new ArrayList<>();
    final MapSecretSource secrets = new MapSecretSource(Map.of("braze-secret", BRAZE_KEY));
    final CohortApiHandler api;
    final CohortRefreshHandler refresh;
    final String key;
    /** The DynamoDB table behind {@link #store}; null in memory. */
    private final CohortTable table;
    /** Its name; null in memory. */
    final String tableName;

    private CohortHarness(CohortState store, CohortTable table, String tableName, Map<String, String> envOverrides) {
        this.store = store;
        this.table = table;
        this.tableName = tableName;
        this.braze = BrazeFake.start(BRAZE_KEY);
        Map<String, String> env = new HashMap<>(Map.of("TABLE_NAME", "unused", "BRAZE_API_KEY_SECRET_ID", "braze-secret",
                "BRAZE_REST_ENDPOINT", braze.endpoint().toString()));
        env.putAll(envOverrides);
        Env e = Env.of(env);
        this.api = new CohortApiHandler(store, e, clock);
        BrazeHttpClient client = new BrazeHttpClient(SharedHttpClient.get(), braze.endpoint(),
                new CachingSecretSource(secrets), "braze-secret");
        this.refresh = new CohortRefreshHandler(store, client, e, clock, d -> {
            sleeps.add(d);
            clock.advance(d);
        });
        this.key = new KeyAdmin(store.keys(), clock).create("test").secret();
    }

    static CohortHarness inMemory(Map<String, String> env) {
        return new CohortHarness(InMemoryCohortStore.create(), null, null, env);
    }

    static CohortHarness inMemory() {
        return inMemory(Map.of());
    }

    static CohortHarness dynalite(Map<String, String> env) {
        var client = Dynalite.shared().client();
        String table = Dynalite.shared().newCohortTable(client);
        CohortTable cohortTable = new CohortTable(client, table);
        return new CohortHarness(CohortStores.dynamo(cohortTable), cohortTable, table, env);
    }

    static CohortHarness dynalite() {
        return dynalite(Map.of());
    }

    CohortTable dynamo() {
        return java.util.Objects.requireNonNull(table, "not a dynalite harness");
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    APIGatewayV2HTTPResponse call(String method, String path, String body, Map<String, String> headers) {
        return call(method, path, body, headers, Map.of());
    }

    APIGatewayV2HTTPResponse call(String method, String path, String body, Map<String, String> headers,
                                  Map<String, String> query) {
        return api.handleRequest(event(method, path, body, headers, query), null);
    }

    static APIGatewayV2HTTPEvent event(String method, String path, String body, Map<String, String> headers,
                                       Map<String, String> query) {
        return ApiGatewayEvents.event(method, path, body, false, headers, query);
    }

    Map<String, String> basic(String secret) {
        return Map.of("authorization", ApiGatewayEvents.basic("mixpanel", secret), "content-type", "application/json");
    }

    Map<String, String> bearer(String secret) {
        return Map.of("Authorization", "Bearer " + secret);
    }

    APIGatewayV2HTTPResponse webhook(String body) {
        return call("POST", "/mixpanel/webhook", body, basic(key));
    }

    APIGatewayV2HTTPResponse partner(String path, String body) {
        return call("POST", path, body, Map.of("content-type", "application/json"));
    }

    /** Runs the refresh after the settle margin, as the 15-minute schedule would. */
    Map<String, Object> runRefresh() {
        clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
        return refresh.handleRequest(new ScheduledEvent(), null);
    }

    /** Runs the refresh with a Lambda context that has {@code remaining} left (on the test clock). */
    Map<String, Object> runRefresh(Duration remaining) {
        clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
        return refresh.handleRequest(new ScheduledEvent(), refreshContext(clock.peek().plus(remaining)));
    }

    static JsonNode json(APIGatewayV2HTTPResponse r) {
        try {
            return Json.MAPPER.readTree(r.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- bodies -----------------------------------------------------------------------------------------------

    static String membersPage(String cohortId, String name, String session, int page, int total, List<String> ids) {
        return webhookBody("members", cohortId, name, session, page, total, ids);
    }

    static String webhookBody(String action, String cohortId, String name, String session, int page, int total,
                              List<String> ids) {
        var root = Json.MAPPER.createObjectNode().put("action", action);
        var p = root.putObject("parameters");
        p.put("mixpanel_project_id", "123").put("mixpanel_cohort_name", name).put("mixpanel_cohort_id", cohortId)
                .put("mixpanel_cohort_description", "test cohort");
        if (session != null) {
            p.put("mixpanel_session_id", session);
            p.putObject("page_info").put("total_pages", total).put("page_count", page);
        }
        var members = p.putArray("members");
        for (String id : ids) {
            members.addObject().put("email", id + "@example.com").put("mixpanel_distinct_id", id)
                    .put("first_name", "F").put("last_name", "L");
        }
        return root.toString();
    }

    @Override
    public void close() {
        braze.close();
    }

    /** A Lambda context whose remaining time follows the test clock, so backoff sleeps use it up. */
    private dev.currentsbridge.standins.local.LocalLambdaContext refreshContext(java.time.Instant end) {
        return new dev.currentsbridge.standins.local.LocalLambdaContext("refresh", 1024,
                () -> java.time.Duration.between(clock.peek(), end).toMillis());
    }
}
