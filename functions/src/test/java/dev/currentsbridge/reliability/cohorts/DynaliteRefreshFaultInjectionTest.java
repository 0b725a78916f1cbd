package dev.currentsbridge.reliability.cohorts;

import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.aws.FaultInjectingInterceptor;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.faults.FaultySecretSource;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.fixtures.RandomCases;
import dev.currentsbridge.standins.http.ShortTimeoutHttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Fewer, slower schedules through the real adapters: the DynamoDB store on dynalite with throttling, conditional
 * check failures after executed writes and 500s injected at the SDK client ({@link FaultInjectingInterceptor}), the
 * real {@link BrazeHttpClient} against loopback Braze (real 429/5xx/401 with key rotation, real timeouts and
 * connection resets mid-body), and Secrets Manager errors in front of the Braze key. Same invariants as in process,
 * except that a write-back failure may replay an acknowledged change (at least once; Braze arrays make it harmless).
 */
class DynaliteRefreshFaultInjectionTest {

    static final FuzzStats STATS = new FuzzStats("cohort-refresh-dynalite");
    private Consumer<String> oldLog;
    private Consumer<String> oldMetrics;

    /** Set when the refresh logged a failed member write-back in the current schedule. */
    private final java.util.concurrent.atomic.AtomicBoolean writeBackFailed = new java.util.concurrent.atomic.AtomicBoolean();

    @BeforeEach
    void quiet() {
        oldLog = Log.setSink(line -> {
            if (line.contains("cohort write-back failed")) {
                writeBackFailed.set(true);
            }
        });
        oldMetrics = Metrics.setSink(line -> { });
    }

    @AfterEach
    void restore() {
        Log.setSink(oldLog);
        Metrics.setSink(oldMetrics);
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    /** Two parts (different seeds), so that no single test runs long on a loaded machine. */
    @ParameterizedTest(name = "part {0}")
    @ValueSource(ints = {1, 2})
    void dynaliteAndLoopbackSchedules(int part) {
        Dynalite dynalite = Dynalite.shared();
        DynamoDbClient plain = dynalite.client();
        RandomCases.forAll("cohort refresh fault schedules (dynalite + loopback HTTP), part " + part, Tries.scaled(12),
                0xD7A11EL + part, r -> {
            ManualClock clock = new ManualClock();
            writeBackFailed.set(false);
            FaultSchedule<FaultInjectingInterceptor.Fault> dbFaults = FaultSchedule.random(r,
                    FaultInjectingInterceptor.Fault.class, FaultInjectingInterceptor.Fault.NONE, r.nextDouble() * 0.15, 3);
            dbFaults.stop(); // the world's key is created first
            FaultSchedule<FaultySecretSource.Fault> secretFaults = FaultSchedule.random(r, FaultySecretSource.Fault.class,
                    FaultySecretSource.Fault.NONE, r.nextDouble() * 0.5, 3);
            FaultSchedule<ScheduledBraze.Fault> brazeFaults = FaultSchedule.random(r, ScheduledBraze.Fault.class,
                    ScheduledBraze.Fault.NONE, r.nextDouble() * 0.6, 6);
            try (FaultInjectingInterceptor interceptor = new FaultInjectingInterceptor(dbFaults);
                 ScheduledBraze braze = new ScheduledBraze(brazeFaults, CohortWorld.ATTRIBUTE, CohortWorld.badUsers(r, 40),
                         "braze-key", clock::advance)) {
                DynamoDbClient faulty = DynamoDbClient.builder()
                        .endpointOverride(dynalite.endpoint())
                        .region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                        .httpClient(new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(20)))
                        .overrideConfiguration(ClientOverrideConfiguration.builder()
                                .retryStrategy(b -> b.maxAttempts(1)).addExecutionInterceptor(interceptor).build())
                        .build();
                String table = dynalite.newCohortTable(plain);
                MapSecretSource secrets = new MapSecretSource(Map.of("braze", "braze-key"));
                var endpoint = braze.startHttp(Duration.ofMillis(400));
                BrazeHttpClient client = new BrazeHttpClient(new ShortTimeoutHttpClient(SharedHttpClient.get(),
                        Duration.ofMillis(150)), endpoint, new CachingSecretSource(new FaultySecretSource(secrets, secretFaults)),
                        "braze");
                CohortWorld world = new CohortWorld(r, clock, CohortStores.dynamo(faulty, table), braze, client);
                world.storeFaults = true;
                world.view = CohortStores.dynamo(plain, table);
                world.countsMayLag = writeBackFailed::get;
                // An operator updates the rotated Braze key in Secrets Manager, sooner or later.
                world.beforeRefresh = () -> {
                    if (secretFaults.stopped() || r.nextBoolean()) {
                        secrets.put("braze", braze.validKey());
                    }
                };
                world.stopFaults = () -> {
                    dbFaults.stop();
                    secretFaults.stop();
                    secrets.put("braze", braze.validKey());
                };
                dbFaults.resume();
                for (int round = 1 + r.nextInt(4); round > 0; round--) {
                    world.round(STATS);
                }
                world.converge(STATS);
                // The write-ahead (members unconfirmed before each request) closes the gap a failed write-back left:
                // Braze's state equals the ledger even where a member write-back failed after Braze acknowledged.
                long[] ledger = world.checkInvariants(false, true);
                if (writeBackFailed.get()) {
                    STATS.count("schedules with a failed member write-back (healed by the write-ahead)");
                }
                STATS.count("schedules");
                STATS.add("postbacks", world.postbacks);
                STATS.add("braze requests", braze.requests());
                STATS.add("braze faults injected", brazeFaults.history().stream().filter(f -> f != ScheduledBraze.Fault.NONE).count());
                STATS.add("dynamodb faults injected", interceptor.injected());
                STATS.add("dynamodb conditional check failures from double delivery", interceptor.conditionalFailures());
                STATS.add("secrets manager faults injected",
                        secretFaults.history().stream().filter(f -> f != FaultySecretSource.Fault.NONE).count());
                STATS.add("changes applied", ledger[0]);
                STATS.add("changes rejected by Braze (with reason)", ledger[1]);
                STATS.add("changes pending after convergence", 0);
            }
        });
    }
}
