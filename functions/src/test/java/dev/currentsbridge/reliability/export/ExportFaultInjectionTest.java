package dev.currentsbridge.reliability.export;

import dev.currentsbridge.standins.junit.LogCapture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.standins.faults.FaultSchedule;
import dev.currentsbridge.standins.mixpanel.ScheduledMixpanel;
import dev.currentsbridge.standins.faults.FaultyObjectSource;
import dev.currentsbridge.standins.faults.FaultyRejectSink;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.fixtures.RandomCases;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded fault schedules through {@link ExportHandler} with in-process ports: Mixpanel 429 storms, 5xx,
 * timeouts and resets before/after import, 401 mid-run, Secrets Manager errors, 413 splits, deterministic partial
 * 400s; rejects-queue outages; S3 unavailable or cut mid-download; Lambda deadlines from 3 s to 15 min. Every
 * message in {@code batchItemFailures} is redelivered; after the faults stop the queue drains and every event has
 * exactly its expected fate ({@link ExportWorld#check}).
 */
class ExportFaultInjectionTest {

    static final FuzzStats STATS = new FuzzStats("export");
    private List<String> emf;
    private LogCapture capture;

    @BeforeEach
    void capture() {
        capture = LogCapture.start();
        emf = capture.metrics();
    }

    @AfterEach
    void restore() {
        capture.close();
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    @Test
    void inProcessSchedules() {
        RandomCases.forAll("export fault schedules (in process)", Tries.scaled(1000), 0xE4B0E7L, r -> {
            emf.clear();
            ManualClock clock = new ManualClock();
            FaultSchedule<ScheduledMixpanel.Fault> mpFaults = FaultSchedule.random(r, ScheduledMixpanel.Fault.class,
                    ScheduledMixpanel.Fault.NONE, r.nextDouble() * 0.7, 10);
            FaultSchedule<FaultyRejectSink.Fault> rejectFaults = FaultSchedule.random(r, FaultyRejectSink.Fault.class,
                    FaultyRejectSink.Fault.NONE, r.nextDouble() * 0.4, 3);
            FaultSchedule<FaultyObjectSource.Fault> s3Faults = FaultSchedule.random(r, FaultyObjectSource.Fault.class,
                    FaultyObjectSource.Fault.NONE, r.nextDouble() * 0.4, 3);
            ScheduledMixpanel mixpanel = new ScheduledMixpanel(mpFaults, r.nextInt(3) == 0 ? 0 : 5 + r.nextInt(30), clock::advance);
            FaultyRejectSink rejects = new FaultyRejectSink(rejectFaults);
            FaultyObjectSource objects = new FaultyObjectSource(s3Faults);
            Env env = Env.of(Map.of("MIXPANEL_CONCURRENCY", String.valueOf(1 + r.nextInt(4))));
            ExportHandler handler = new ExportHandler(new ExportPorts(mixpanel, rejects, objects), env, clock.sleeper(),
                    new SplittableRandom(r.nextLong()));
            ExportWorld world = new ExportWorld(r, clock, mixpanel::invalid);
            world.generate(1 + r.nextInt(15), (key, bytes) -> objects.put(ExportWorld.BUCKET, key, bytes));
            for (int i = 0; i < 30 && !world.queueEmpty(); i++) {
                Duration budget = Duration.ofSeconds(RandomCases.oneOf(r, List.of(3L, 8L, 20L, 60L, 300L, 900L)));
                world.invoke(handler, budget, emf, STATS);
            }
            mpFaults.stop();
            rejectFaults.stop();
            s3Faults.stop();
            for (int i = 0; i < 200 && !world.queueEmpty(); i++) {
                world.invoke(handler, Duration.ofMinutes(15), emf, STATS);
            }
            assertTrue(world.queueEmpty(), "the queue drains once faults stop");
            var counts = world.check(mixpanel.imported(), rejects.stored());
            STATS.count("schedules");
            STATS.add("messages", world.messages);
            STATS.add("events in (units)", world.expected.size());
            counts.forEach((fate, n) -> STATS.add("final " + fate.name().toLowerCase(), n));
            STATS.add("lost", 0);
            STATS.add("events returned for retry (all deliveries)", world.eventsReturned);
            STATS.add("messages redelivered", world.redeliveries);
            STATS.add("invocations", world.invocations);
            STATS.add("mixpanel requests", mixpanel.requests());
            STATS.add("mixpanel faults injected", mpFaults.history().stream().filter(f -> f != ScheduledMixpanel.Fault.NONE).count());
            STATS.add("duplicate imports (same $insert_id, deduped by Mixpanel)", world.duplicatesImported(mixpanel.imported()));
        });
    }
}
