package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.local.MapSecretSource;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cohorts: a full sync of N members (pages of 1000, Mixpanel's webhook) through {@link CohortApiHandler} into
 * DynamoDB on dynalite, then {@link CohortRefreshHandler} into the loopback Braze fake. DynamoDB requests are
 * counted per operation by an SDK {@link ExecutionInterceptor} on the store's client (every HTTP attempt).
 *
 * <p>Args: {@code --members N} (100000) {@code --page P} (1000); or {@code --rename CxM[xA]}: the refresh after a
 * rename of C cohorts of M members each, in the heap this JVM was given, optionally with {@code COHORT_ARRAY_MAX=A}
 * ({@link CohortRenameRun}).
 */
public final class CohortsHarness {

    static final String BRAZE_KEY = "bench-braze-key";

    public static void main(String[] args) throws Exception {
        int members = 100_000;
        int page = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--members" -> members = Integer.parseInt(args[++i]);
                case "--page" -> page = Integer.parseInt(args[++i]);
                case "--rename" -> {
                    String[] cxm = args[++i].split("x");
                    System.out.println("RESULT " + CohortRenameRun.run(Integer.parseInt(cxm[0]), Integer.parseInt(cxm[1]),
                            cxm.length > 2 ? cxm[2] : null, System.out));
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("RESULT " + run(members, page, System.out));
    }

    /**
     * Counts SDK requests (attempts) by operation, and capacity units: it asks DynamoDB for
     * {@code ReturnConsumedCapacity=TOTAL} on every call that supports it and sums what comes back (what on-demand
     * tables are billed by: one WRU per 1 KB written per item, one RRU per 4 KB strongly read).
     */
    public static final class RequestCounter implements ExecutionInterceptor {
        final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.DoubleAdder writeUnits = new java.util.concurrent.atomic.DoubleAdder();
        final java.util.concurrent.atomic.DoubleAdder readUnits = new java.util.concurrent.atomic.DoubleAdder();

        @Override
        public software.amazon.awssdk.core.SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            var total = software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity.TOTAL;
            return switch (context.request()) {
                case software.amazon.awssdk.services.dynamodb.model.PutItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.GetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                case software.amazon.awssdk.services.dynamodb.model.QueryRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
                default -> context.request();
            };
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            switch (context.response()) {
                case software.amazon.awssdk.services.dynamodb.model.PutItemResponse r -> write(r.consumedCapacity());
                case software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse r -> write(r.consumedCapacity());
                case software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse r -> write(r.consumedCapacity());
                case software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse r -> r.consumedCapacity().forEach(this::write);
                case software.amazon.awssdk.services.dynamodb.model.GetItemResponse r -> read(r.consumedCapacity());
                case software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse r -> r.consumedCapacity().forEach(this::read);
                case software.amazon.awssdk.services.dynamodb.model.QueryResponse r -> read(r.consumedCapacity());
                default -> {
                }
            }
        }

        private void write(software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity c) {
            if (c != null && c.capacityUnits() != null) {
                writeUnits.add(c.capacityUnits());
            }
        }

        private void read(software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity c) {
            if (c != null && c.capacityUnits() != null) {
                readUnits.add(c.capacityUnits());
            }
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            byOperation.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
        }

        public Map<String, Long> snapshot() {
            Map<String, Long> m = new TreeMap<>();
            byOperation.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }

        public void reset() {
            byOperation.clear();
            writeUnits.reset();
            readUnits.reset();
        }
    }

    /** The system clock plus a jump: the refresh waits for postbacks to settle; the harness skips that wait. */
    static final class JumpClock extends Clock {
        final AtomicLong offsetMillis = new AtomicLong();

        @Override
        public Instant instant() {
            return Instant.now().plusMillis(offsetMillis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    public static Map<String, Object> run(int members, int pageSize, PrintStream out) throws Exception {
        Log.setSink(line -> { });
        Metrics.setSink(line -> { });
        RequestCounter counter = new RequestCounter();
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        try (Dynalite dynalite = Dynalite.start(); BrazeFake braze = BrazeFake.start(BRAZE_KEY)) {
            DynamoDbClient db = DynamoDbClient.builder()
                    .endpointOverride(dynalite.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .httpClient(new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(20)))
                    .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(counter).build())
                    .build();
            String table = "cohorts-bench";
            dev.currentsbridge.standins.aws.Dynalite.createCohortTable(db, table);
            CohortState store = CohortStores.dynamo(db, table);
            JumpClock clock = new JumpClock();
            Env env = Env.of(Map.of("TABLE_NAME", table, "BRAZE_API_KEY_SECRET_ID", "braze-secret",
                    "BRAZE_REST_ENDPOINT", braze.endpoint().toString()));
            CohortApiHandler api = new CohortApiHandler(store, env, clock);
            CohortRefreshHandler refresh = new CohortRefreshHandler(store,
                    new BrazeHttpClient(SharedHttpClient.get(), braze.endpoint(),
                            new CachingSecretSource(new MapSecretSource(Map.of("braze-secret", BRAZE_KEY))), "braze-secret"),
                    env, clock, d -> clock.offsetMillis.addAndGet(d.toMillis()));
            String key = new KeyAdmin(store.keys(), clock).create("bench").secret();
            String auth = "Basic " + Base64.getEncoder().encodeToString(("mixpanel:" + key).getBytes(StandardCharsets.UTF_8));
            int pages = (members + pageSize - 1) / pageSize;
            List<String> bodies = new ArrayList<>(pages);
            for (int p = 1; p <= pages; p++) {
                bodies.add(page("bench-cohort", "Bench Cohort", "session-1", p, pages, (p - 1) * pageSize,
                        Math.min(members, p * pageSize)));
            }
            counter.reset();
            out.println(Procs.fmt("cohorts: full sync of %,d members (%d pages of %d) into dynalite, then refresh into the Braze fake",
                    members, pages, pageSize));
            long t0 = System.nanoTime();
            for (String body : bodies) {
                APIGatewayV2HTTPResponse r = api.handleRequest(post("/mixpanel/webhook", body, auth), null);
                if (r.getStatusCode() != 200) {
                    throw new IllegalStateException("webhook answered " + r.getStatusCode() + ": " + r.getBody());
                }
            }
            double syncSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> syncRequests = counter.snapshot();
            double syncWru = counter.writeUnits.sum();
            double syncRru = counter.readUnits.sum();
            counter.reset();

            clock.offsetMillis.addAndGet(CohortRefresher.SETTLE.plusSeconds(1).toMillis());
            long t1 = System.nanoTime();
            int runs = 0;
            long pending;
            Map<String, Object> report;
            do {
                report = refresh.handleRequest(new ScheduledEvent(), null);
                runs++;
                pending = ((Number) report.get("stillPending")).longValue();
            } while (pending > 0 && runs < 20);
            double refreshSeconds = (System.nanoTime() - t1) / 1e9;
            Map<String, Long> refreshRequests = counter.snapshot();
            double refreshWru = counter.writeUnits.sum();
            double refreshRru = counter.readUnits.sum();
            int brazeRequests = braze.requests().size();
            int inBraze = braze.state("Mixpanel_Cohorts").size();
            if (inBraze != members) {
                throw new IllegalStateException("Braze fake holds " + inBraze + " members with the attribute, expected " + members);
            }
            long syncTotal = syncRequests.values().stream().mapToLong(Long::longValue).sum();
            long refreshTotal = refreshRequests.values().stream().mapToLong(Long::longValue).sum();
            long refreshWrites = writes(refreshRequests);
            long expectedBraze = (members + 74) / 75;
            out.println(Procs.fmt("  postbacks: %.1f s, %,.0f members/s; DynamoDB requests %d (%s) = %.4f per member, writes %.4f per member",
                    syncSeconds, members / syncSeconds, syncTotal, syncRequests, syncTotal / (double) members,
                    writes(syncRequests) / (double) members));
            out.println(Procs.fmt("  refresh: %.1f s in %d run(s), %,.0f members/s; DynamoDB requests %d (%s) = %.4f per member, writes %.4f per member (1 per 25 = 0.04)",
                    refreshSeconds, runs, members / refreshSeconds, refreshTotal, refreshRequests,
                    refreshTotal / (double) members, refreshWrites / (double) members));
            out.println(Procs.fmt("  capacity units (as billed on demand): postbacks %.0f WRU + %.0f RRU, refresh %.0f WRU + %.0f RRU",
                    syncWru, syncRru, refreshWru, refreshRru));
            out.println(Procs.fmt("  Braze: %d requests for %,d changes = %.3f per 75 changes (ceil(changes/75) = %d); report %s",
                    brazeRequests, members, brazeRequests / (members / 75.0), expectedBraze, report));
            out.println(Procs.fmt("  end to end: %.1f s, %,.0f members/s", syncSeconds + refreshSeconds,
                    members / (syncSeconds + refreshSeconds)));
            result.put("members", members);
            result.put("sync_s", syncSeconds);
            result.put("refresh_s", refreshSeconds);
            result.put("sync_requests", syncRequests);
            result.put("refresh_requests", refreshRequests);
            result.put("sync_wru", syncWru);
            result.put("sync_rru", syncRru);
            result.put("refresh_wru", refreshWru);
            result.put("refresh_rru", refreshRru);
            result.put("braze_requests", brazeRequests);
            result.put("braze_expected", expectedBraze);
            result.put("refresh_runs", runs);
        }
        return result;
    }

    static long writes(Map<String, Long> requests) {
        long n = 0;
        for (Map.Entry<String, Long> e : requests.entrySet()) {
            if (e.getKey().startsWith("Put") || e.getKey().startsWith("Update") || e.getKey().startsWith("Delete")
                    || e.getKey().startsWith("BatchWrite") || e.getKey().startsWith("TransactWrite")) {
                n += e.getValue();
            }
        }
        return n;
    }

    static String page(String cohortId, String name, String session, int page, int total, int from, int to) {
        var root = Json.MAPPER.createObjectNode().put("action", "members");
        var p = root.putObject("parameters");
        p.put("mixpanel_project_id", "123").put("mixpanel_cohort_name", name).put("mixpanel_cohort_id", cohortId)
                .put("mixpanel_cohort_description", "benchmark cohort").put("mixpanel_session_id", session);
        p.putObject("page_info").put("total_pages", total).put("page_count", page);
        var members = p.putArray("members");
        for (int i = from; i < to; i++) {
            String id = "user-" + (1_000_000 + i);
            members.addObject().put("email", id + "@example.com").put("mixpanel_distinct_id", id)
                    .put("first_name", "F").put("last_name", "L");
        }
        return root.toString();
    }

    static APIGatewayV2HTTPEvent post(String path, String body, String authorization) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(Map.of("authorization", authorization, "content-type", "application/json"))
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withStage("$default")
                        .withRequestId("bench")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath(path)
                                .withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }
}
