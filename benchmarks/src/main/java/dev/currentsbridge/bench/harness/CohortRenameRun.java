package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.local.MapSecretSource;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * docs/PERFORMANCE.md section 6, issue 13: the refresh after a rename of every cohort (each member's value moves:
 * add the new name, remove the old) must run in memory bounded by the largest cohort. {@code cohorts} cohorts of
 * {@code members} members each are seeded as applied in DynamoDB (dynalite, outside this JVM), renamed by a
 * postback each, then refreshed into the Braze emulator counting only ({@link BrazeFake#countOnly}: it keeps no
 * request and no user, so the heap measured is the bridge's). Run it in a small heap ({@code -Xmx256m}, benchmarks/run.sh): finishing is the claim; the largest
 * live set (heap in use right after a full collection, sampled once a second) is the figure.
 */
public final class CohortRenameRun {

    private CohortRenameRun() {
    }

    public static Map<String, Object> run(int cohorts, int members, PrintStream out) throws Exception {
        return run(cohorts, members, null, out);
    }

    /** {@code arrayMax}: {@code COHORT_ARRAY_MAX} (null: the default); below the cohort count it turns the guard on. */
    public static Map<String, Object> run(int cohorts, int members, String arrayMax, PrintStream out) throws Exception {
        Log.setSink(line -> { });
        Metrics.setSink(line -> { });
        Map<String, Object> result = new LinkedHashMap<>();
        try (Dynalite dynalite = Dynalite.start(); BrazeFake braze = BrazeFake.start("k").countOnly()) {
            DynamoDbClient db = DynamoDbClient.builder()
                    .endpointOverride(dynalite.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .httpClient(new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(60)))
                    .build();
            String table = "cohorts-rename-bench";
            Dynalite.createCohortTable(db, table);
            CohortState store = CohortStores.dynamo(db, table);
            CohortsHarness.JumpClock clock = new CohortsHarness.JumpClock();

            out.println(Procs.fmt("cohorts rename: %d cohorts x %,d members seeded as applied in dynalite, all renamed, "
                    + "one refresh; max heap %d MB; COHORT_ARRAY_MAX %s", cohorts, members,
                    Runtime.getRuntime().maxMemory() >> 20, arrayMax == null ? "default" : arrayMax));
            long t0 = System.nanoTime();
            for (int c = 0; c < cohorts; c++) {
                seed(store, "cohort-" + c, "Old name " + c, members, clock);
            }
            double seedSeconds = (System.nanoTime() - t0) / 1e9;
            for (int c = 0; c < cohorts; c++) { // the rename postbacks (Mixpanel's webhook carries the new name)
                store.registry().upsertCohort(new CohortUpsert("cohort-" + c, "New name " + c, null, null,
                        clock.instant()), SyncMode.DYNAMIC);
            }
            clock.offsetMillis.addAndGet(CohortRefresher.SETTLE.plusSeconds(1).toMillis());

            Map<String, String> vars = new java.util.HashMap<>(Map.of("TABLE_NAME", table,
                    "BRAZE_API_KEY_SECRET_ID", "braze-secret", "BRAZE_REST_ENDPOINT", braze.endpoint().toString()));
            if (arrayMax != null) {
                vars.put("COHORT_ARRAY_MAX", arrayMax);
            }
            Env env = Env.of(vars);
            CohortRefreshHandler refresh = new CohortRefreshHandler(store,
                    new BrazeHttpClient(SharedHttpClient.get(), braze.endpoint(),
                            new CachingSecretSource(new MapSecretSource(Map.of("braze-secret", "k"))), "braze-secret"),
                    env, clock, d -> clock.offsetMillis.addAndGet(d.toMillis()));
            // The live set, sampled: once a second a full collection, then the heap in use (what survives it).
            System.gc();
            var memory = ManagementFactory.getMemoryMXBean();
            long baselineUsed = memory.getHeapMemoryUsage().getUsed();
            AtomicLong maxLive = new AtomicLong();
            AtomicLong samples = new AtomicLong();
            var done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    System.gc();
                    maxLive.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    samples.incrementAndGet();
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "live-set-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long t1 = System.nanoTime();
            Map<String, Object> report = refresh.handleRequest(new ScheduledEvent(), null);
            double refreshSeconds = (System.nanoTime() - t1) / 1e9;
            done.set(true);
            sampler.join();
            long peakAfterGc = maxLive.get();
            long total = (long) cohorts * members;
            if (braze.arrayAdds() != total || braze.arrayRemoves() != total
                    || ((Number) report.get("stillPending")).longValue() != 0) {
                throw new IllegalStateException("not every member moved: adds " + braze.arrayAdds() + ", removes "
                        + braze.arrayRemoves() + ", report " + report);
            }
            for (int c = 0; c < cohorts; c++) {
                var cohort = store.registry().findCohort("cohort-" + c).orElseThrow();
                if (!("New name " + c).equals(cohort.appliedValue()) || cohort.pendingCount() != 0) {
                    throw new IllegalStateException("cohort-" + c + " not applied: " + cohort);
                }
            }
            out.println(Procs.fmt("  seed: %.1f s (%,d member items)", seedSeconds, total));
            out.println(Procs.fmt("  refresh: %.1f s, %,d Braze requests, %,d objects (%,d adds + %,d removes), report %s",
                    refreshSeconds, braze.acceptedRequests(), braze.attributesProcessed(), braze.arrayAdds(),
                    braze.arrayRemoves(), report));
            out.println(Procs.fmt("  heap (MiB): %.1f live before the refresh; during it the largest live set %.1f (heap in "
                    + "use right after a full collection, %d samples, one a second); max heap %d",
                    baselineUsed / 1048576.0, peakAfterGc / 1048576.0, samples.get(), Runtime.getRuntime().maxMemory() >> 20));
            result.put("cohorts", cohorts);
            result.put("members_per_cohort", members);
            result.put("refresh_s", refreshSeconds);
            result.put("braze_requests", braze.acceptedRequests());
            result.put("live_set_mib", peakAfterGc / 1048576.0);
            result.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        }
        return result;
    }

    /** One cohort's members as Braze already holds them (applied under the old name), written 25 per batch. */
    private static void seed(CohortState store, String id, String name, int members, CohortsHarness.JumpClock clock) {
        store.registry().upsertCohort(new CohortUpsert(id, name, null, null, clock.instant()), SyncMode.DYNAMIC);
        List<Member> batch = new ArrayList<>(1000);
        for (int i = 0; i < members; i++) {
            batch.add(new Member(MemberRef.externalId(id + "-user-" + i), true, name, null, null, clock.instant()));
            if (batch.size() == 1000 || i == members - 1) {
                store.membership().writeMembers(id, batch);
                batch.clear();
            }
        }
        store.registry().recordRefresh(id, new CohortRegistry.RefreshOutcome(clock.instant(), members, 0,
                CohortStatus.ACTIVE, name, members, null, 0, 0, 0, false));
    }
}
