package dev.currentsbridge.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.bench.CurrentsTraffic;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.adapter.SqsMessageVisibility;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.export.domain.mapping.InsertIds;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.mixpanel.ProjectQuota;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A backlog drained under Mixpanel's rate limit: {@code --events} Currents events already queued in ElasticMQ
 * as the HTTP connector delivers them (POSTs of {@code --per-message} events, Braze's maximum 100, each enqueued
 * by the ingest function's own {@link SqsExportQueue} as one message), the queue set up as the stack sets it
 * (visibility timeout, dead-letter queue after {@code maxReceiveCount} receives), {@code K} export containers
 * ({@link BacklogContainer}, each with the export handler built as deployed: {@link ExportEndToEnd#deployedHandler},
 * {@code SqsMessageVisibility} on the queue, {@code EXPORT_MAX_RECEIVES} = {@code maxReceiveCount}) draining it into
 * the loopback sink behind a {@link ProjectQuota} ({@code --quota-eps} events per second, a token bucket holding
 * {@code --burst-seconds} of quota and starting empty: 60 models Mixpanel's rolling minute, 1 is the stress
 * variant). Run twice: with {@code --containers} K (the cap) and with {@code --lifted-containers} (the cap lifted;
 * 0 skips it).
 *
 * <p>Every event is accounted for: delivered (unique {@code $insert_id}s the sink imported), rejected (messages on
 * the rejects queue), dead-lettered (events of messages on the DLQ not delivered), pending (events of messages still
 * queued when the run stopped at {@code --max-seconds}, not delivered), lost = sent - all of those.
 * Prints one {@code RESULT {...}} line per run.
 */
public final class BacklogHarness {

    public record Settings(int events, int perMessage, int containers, int liftedContainers, double quotaEps,
                           double burstSeconds, int mixpanelConcurrency, int visibilityTimeoutSeconds,
                           int maxReceiveCount, int functionTimeoutSeconds, int maxSeconds, long seed) {

        /**
         * docs/PERFORMANCE.md section 7's run: 1,000,000 events, 5 (the event source's {@code MaximumConcurrency})
         * then 50 containers, 3,000 events/s (below the ~4,000 that 5 containers push on the 2-core build machine)
         * per rolling minute (a bucket of 60 s of quota, starting empty), and the stack's values (template.yaml):
         * visibility 720 s, maxReceiveCount = {@code EXPORT_MAX_RECEIVES} 16, timeout 120 s,
         * {@code MIXPANEL_CONCURRENCY} 4.
         */
        public static Settings defaults() {
            return new Settings(1_000_000, 100, 5, 50, 3_000, ProjectQuota.ROLLING_MINUTE_SECONDS, 4, 720, 16, 120, 0,
                    2026);
        }

        int maxSecondsOrDefault() {
            return maxSeconds > 0 ? maxSeconds : (int) Math.max(120, 3 * events / quotaEps + 60);
        }
    }

    public record Result(double quotaEps, int containers, long events, double goodputEps, double goodputRatio,
                         long http429, long deadLettered, long lost, double containerSecondsPerMillion,
                         long delivered, long rejected, long pending, long duplicates, double seconds,
                         boolean drained, long invocations, long functionErrors, long messagesReturned,
                         int mixpanelConcurrency, double burstSeconds, int maxReceiveCount, double seconds99,
                         long retrySleeps, double retrySleepSeconds, long delaysSet, long delayMaxSeconds,
                         double pollerBackoffSeconds) {
        public String toJson() {
            return Procs.fmt("{\"quota_eps\":%.0f,\"containers\":%d,\"events\":%d,\"goodput_eps\":%.0f,"
                            + "\"goodput_ratio\":%.3f,\"http_429\":%d,\"dead_lettered\":%d,\"lost\":%d,"
                            + "\"container_seconds_per_million\":%.1f,\"delivered\":%d,\"rejected\":%d,\"pending\":%d,"
                            + "\"duplicates\":%d,\"seconds\":%.1f,\"drained\":%b,\"invocations\":%d,"
                            + "\"function_errors\":%d,\"messages_returned\":%d,\"mixpanel_concurrency\":%d,"
                            + "\"burst_seconds\":%.0f,\"max_receive_count\":%d,\"seconds_to_99pct\":%.1f,"
                            + "\"retry_sleeps\":%d,\"retry_sleep_seconds\":%.1f,\"delays_set\":%d,"
                            + "\"delay_max_seconds\":%d,\"poller_backoff_seconds\":%.1f}",
                    quotaEps, containers, events, goodputEps, goodputRatio, http429, deadLettered, lost,
                    containerSecondsPerMillion, delivered, rejected, pending, duplicates, seconds, drained, invocations,
                    functionErrors, messagesReturned, mixpanelConcurrency, burstSeconds, maxReceiveCount, seconds99,
                    retrySleeps, retrySleepSeconds, delaysSet, delayMaxSeconds, pollerBackoffSeconds);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings d = Settings.defaults();
        int events = d.events(), perMessage = d.perMessage(), containers = d.containers(), lifted = d.liftedContainers();
        double quota = d.quotaEps(), burst = d.burstSeconds();
        int concurrency = d.mixpanelConcurrency(), visibility = d.visibilityTimeoutSeconds();
        int maxReceive = d.maxReceiveCount(), timeout = d.functionTimeoutSeconds(), maxSeconds = d.maxSeconds();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--per-message" -> perMessage = Integer.parseInt(args[++i]);
                case "--containers" -> containers = Integer.parseInt(args[++i]);
                case "--lifted-containers" -> lifted = Integer.parseInt(args[++i]);
                case "--quota-eps" -> quota = Double.parseDouble(args[++i]);
                case "--burst-seconds" -> burst = Double.parseDouble(args[++i]);
                case "--mixpanel-concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--visibility-timeout" -> visibility = Integer.parseInt(args[++i]);
                case "--max-receive-count" -> maxReceive = Integer.parseInt(args[++i]);
                case "--function-timeout" -> timeout = Integer.parseInt(args[++i]);
                case "--max-seconds" -> maxSeconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Settings s = new Settings(events, perMessage, containers, lifted, quota, burst, concurrency, visibility,
                maxReceive, timeout, maxSeconds, d.seed());
        for (Result r : run(s, System.out)) {
            System.out.println("RESULT " + r.toJson());
        }
        System.exit(0);
    }

    /** The capped run, then (unless {@code liftedContainers} is 0) the same backlog with the cap lifted. */
    public static List<Result> run(Settings s, PrintStream out) throws Exception {
        AtomicLong logLines = new AtomicLong();
        Log.setSink(line -> logLines.incrementAndGet());
        Metrics.setSink(line -> logLines.incrementAndGet());
        List<Result> results = new ArrayList<>();
        try (ElasticMq sqs = ElasticMq.start()) {
            results.add(runOnce(s, s.containers(), sqs, out));
            if (s.liftedContainers() > 0) {
                results.add(runOnce(s, s.liftedContainers(), sqs, out));
            }
        }
        return results;
    }

    static Result runOnce(Settings s, int containers, ElasticMq mq, PrintStream out) throws Exception {
        SqsClient sqs = mq.client();
        String dlq = mq.createQueue("export-dlq");
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String queue = mq.createQueue("export");
        sqs.setQueueAttributes(b -> b.queueUrl(queue).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(s.visibilityTimeoutSeconds()),
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\""
                        + s.maxReceiveCount() + "\"}")));
        String rejects = mq.createQueue("rejects");

        out.println(Procs.fmt("backlog: %,d events as HTTP-connector POSTs of %d (one SQS message each), quota %,.0f events/s"
                        + " (a bucket of %,.0f s of quota, starting empty), %d container(s), MIXPANEL_CONCURRENCY %d, visibility %d s, maxReceiveCount %d,"
                        + " timeout %d s", s.events(), s.perMessage(), s.quotaEps(), s.burstSeconds(), containers,
                s.mixpanelConcurrency(), s.visibilityTimeoutSeconds(), s.maxReceiveCount(), s.functionTimeoutSeconds()));
        long f0 = System.nanoTime();
        long sent = fill(sqs, queue, s);
        out.println(Procs.fmt("  queued %,d events in %,d messages in %.1f s (load average %s)", sent, mq.depth(queue),
                (System.nanoTime() - f0) / 1e9, Procs.loadAverage()));

        Set<String> delivered = ConcurrentHashMap.newKeySet(s.events());
        AtomicLong lastDelivery = new AtomicLong();
        AtomicLong at99 = new AtomicLong();
        long threshold99 = (long) Math.ceil(sent * 0.99);
        AtomicReference<ProjectQuota> quota = new AtomicReference<>();
        try (LoopbackSink sink = LoopbackSink.start(h -> {
            quota.set(new ProjectQuota(s.quotaEps(), s.burstSeconds(), false, System::nanoTime, h));
            return quota.get();
        })) {
            sink.recordInsertIds(id -> {
                if (delivered.add(id)) {
                    long now = System.nanoTime();
                    lastDelivery.set(now);
                    if (delivered.size() >= threshold99) {
                        at99.compareAndSet(0, now);
                    }
                }
            });
            Map<String, String> env = Map.of("MIXPANEL_CONCURRENCY", Integer.toString(s.mixpanelConcurrency()),
                    "REJECTS_QUEUE_URL", rejects, "EXPORT_MAX_RECEIVES", Integer.toString(s.maxReceiveCount()));
            Map<String, String> outstanding = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            BacklogContainer.Totals totals = new BacklogContainer.Totals();
            ExecutorService pool = Executors.newFixedThreadPool(containers);
            for (int c = 0; c < containers; c++) {
                // one handler per container, built as deployed; the visibility port is the real SqsMessageVisibility
                ExportHandler handler = ExportEndToEnd.deployedHandler(sink.baseUrl(), new SqsRejectSink(sqs, rejects),
                        totals.counting(new SqsMessageVisibility(() -> sqs)), totals.countingSleeper(), env);
                pool.execute(new BacklogContainer(sqs, queue, handler, Duration.ofSeconds(s.functionTimeoutSeconds()),
                        outstanding, stop, totals));
            }
            long t0 = System.nanoTime();
            long limit = t0 + TimeUnit.SECONDS.toNanos(s.maxSecondsOrDefault());
            long nextReport = t0 + TimeUnit.SECONDS.toNanos(10);
            boolean drained = false;
            while (System.nanoTime() < limit) {
                Thread.sleep(500);
                if (mq.depth(queue) == 0) {
                    drained = true;
                    break;
                }
                if (System.nanoTime() >= nextReport) {
                    nextReport += TimeUnit.SECONDS.toNanos(10);
                    double t = (System.nanoTime() - t0) / 1e9;
                    out.println(Procs.fmt("  %5.0f s: delivered %,d (%,.0f events/s), 429s %,d, invocations %,d running %d,"
                                    + " returned %,d, queue %,d, DLQ %,d; retry waits %,d (%.0f s), delays set %,d;"
                                    + " load %s", t, delivered.size(), delivered.size() / t,
                            quota.get().counts().throttledRequests(), totals.invocations.get(), totals.running.get(),
                            totals.messagesReturned.get(), mq.depth(queue), mq.depth(dlq), totals.retrySleeps.get(),
                            totals.retrySleepNanos.get() / 1e9, totals.delaysSet.get(), Procs.loadAverage()));
                }
            }
            long end = System.nanoTime();
            stop.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(drained ? 10 : 1, TimeUnit.SECONDS)) {
                pool.shutdownNow(); // a handler sleeping in its backoff returns its messages when interrupted
                pool.awaitTermination(s.functionTimeoutSeconds() + 10L, TimeUnit.SECONDS);
            }
            sink.recordInsertIds(null);

            long rejected = mq.drain(rejects).size();
            makeVisible(sqs, queue, outstanding);
            long pending = undelivered(mq.drain(queue), delivered);
            long deadLettered = undelivered(mq.drain(dlq), delivered);
            long lost = sent - delivered.size() - rejected - deadLettered - pending;
            double seconds = ((drained ? Math.max(lastDelivery.get(), t0) : end) - t0) / 1e9;
            double goodput = delivered.size() / Math.max(seconds, 1e-3);
            ProjectQuota.Counts q = quota.get().counts();
            LoopbackSink.Stats st = sink.stats();
            double billedSeconds = totals.billedNanos.get() / 1e9;
            Result r = new Result(s.quotaEps(), containers, sent, goodput, goodput / s.quotaEps(), q.throttledRequests(),
                    deadLettered, lost, billedSeconds / Math.max(delivered.size(), 1) * 1e6, delivered.size(), rejected,
                    pending, st.events() - delivered.size(), seconds, drained, totals.invocations.get(),
                    totals.functionErrors.get(), totals.messagesReturned.get(), s.mixpanelConcurrency(), s.burstSeconds(),
                    s.maxReceiveCount(), at99.get() == 0 ? Double.NaN : (at99.get() - t0) / 1e9,
                    totals.retrySleeps.get(), totals.retrySleepNanos.get() / 1e9, totals.delaysSet.get(),
                    totals.delaySecondsMax.get(), totals.backoffNanos.get() / 1e9);
            out.println(Procs.fmt("  %s after %.1f s: delivered %,d of %,d (%,.0f events/s = %.2f of the quota), %,d requests"
                            + " answered 429 (%,d events), %,d admitted; %,d invocations (%,d function errors), %,d messages"
                            + " returned; billed %.0f container-s (%.1f per million); rejected %,d, dead-lettered %,d,"
                            + " pending %,d, duplicates %,d, lost %,d; 99%% delivered at %.1f s; %,d retry waits in"
                            + " invocations (%.0f s), %,d redelivery delays set (max %,d s), %.0f s of poller back-off;"
                            + " load average %s",
                    drained ? "drained" : "STOPPED (max seconds)", seconds, delivered.size(), sent, goodput,
                    r.goodputRatio(), q.throttledRequests(), q.throttledEvents(), q.admittedRequests(),
                    totals.invocations.get(), totals.functionErrors.get(), totals.messagesReturned.get(), billedSeconds,
                    r.containerSecondsPerMillion(), rejected, deadLettered, pending, r.duplicates(), lost,
                    r.seconds99(), r.retrySleeps(), r.retrySleepSeconds(), r.delaysSet(), r.delayMaxSeconds(),
                    r.pollerBackoffSeconds(), Procs.loadAverage()));
            return r;
        } finally {
            for (String q : List.of(queue, dlq, rejects)) {
                mq.deleteQueue(q);
            }
        }
    }

    /** The backlog, as the ingest function enqueues HTTP-connector POSTs (4 senders); returns the events sent. */
    static long fill(SqsClient sqs, String queue, Settings s) throws InterruptedException {
        SqsExportQueue ingest = new SqsExportQueue(sqs, queue);
        CurrentsTraffic traffic = new CurrentsTraffic(s.seed(), 0);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        Semaphore window = new Semaphore(16);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        long sent = 0;
        try {
            for (int i = 0; i < s.events() && failure.get() == null; i += s.perMessage()) {
                List<String> post = traffic.httpEvents(Math.min(s.perMessage(), s.events() - i));
                sent += post.size();
                window.acquire();
                senders.execute(() -> {
                    try {
                        ingest.enqueueEvents(post);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        window.release();
                    }
                });
            }
        } finally {
            senders.shutdown();
            senders.awaitTermination(10, TimeUnit.MINUTES);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return sent;
    }

    /** Messages received and not deleted are made visible at once (their receipts may be stale: moved to the DLQ). */
    private static void makeVisible(SqsClient sqs, String queue, Map<String, String> outstanding) {
        for (String receipt : outstanding.values()) {
            try {
                sqs.changeMessageVisibility(b -> b.queueUrl(queue).receiptHandle(receipt).visibilityTimeout(0));
            } catch (SqsException e) {
                // already deleted or dead-lettered: counted where it is
            }
        }
    }

    /** Events in these {@code {"events":[...]}} bodies whose insert id the sink never imported. */
    static long undelivered(List<Message> messages, Set<String> delivered) throws IOException {
        long n = 0;
        for (Message m : messages) {
            for (JsonNode e : Json.MAPPER.readTree(m.body()).path("events")) {
                if (!delivered.contains(InsertIds.fromCurrentsId(e.path("id").asText()))) {
                    n++;
                }
            }
        }
        return n;
    }
}
