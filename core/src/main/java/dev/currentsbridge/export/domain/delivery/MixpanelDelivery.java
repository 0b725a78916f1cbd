package dev.currentsbridge.export.domain.delivery;

import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.delivery.ImportVerdict.FailedRecord;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.port.MixpanelImport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;

/**
 * Delivers batches to Mixpanel for one invocation: up to {@code concurrency} requests in flight, each batch
 * retried, split or partly rejected as Mixpanel's answers require, and every event recorded in the ledger
 * exactly once. {@link #submit} blocks while all slots are busy, which keeps a streaming producer (a large
 * Avro file) from running ahead of delivery.
 */
public final class MixpanelDelivery implements AutoCloseable {

    private static final Log LOG = Log.get(MixpanelDelivery.class);
    /** The retry reason of events sent with ones Mixpanel refused by a {@code failed_records} entry naming no sent event. */
    static final String UNMATCHED_FAILED_RECORDS = "mixpanel_unmatched_failed_records";

    private final MixpanelImport mixpanel;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Deadline deadline;
    private final DeliverySettings settings;
    private final EventLedger ledger;
    private final RejectBuffer rejects;
    private final ImportVerdict.Reader verdicts;
    private final DeliveryStats stats;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;
    private final Phaser inFlight = new Phaser(1);
    private final Object reloadLock = new Object();
    private boolean credentialsReloaded;

    public MixpanelDelivery(MixpanelImport mixpanel, RetryPolicy policy, Sleeper sleeper, Deadline deadline,
                            DeliverySettings settings, EventLedger ledger, RejectBuffer rejects) {
        this(mixpanel, ImportVerdict::of, new DeliveryStats(), policy, sleeper, deadline, settings, ledger, rejects);
    }

    /**
     * A delivery to another Mixpanel endpoint of the same request contract ({@code /engage}): its answers read by
     * {@code verdicts}, its requests counted in {@code stats} (shared with the {@code /import} lane's).
     */
    public MixpanelDelivery(MixpanelImport mixpanel, ImportVerdict.Reader verdicts, DeliveryStats stats,
                            RetryPolicy policy, Sleeper sleeper, Deadline deadline, DeliverySettings settings,
                            EventLedger ledger, RejectBuffer rejects) {
        this.mixpanel = mixpanel;
        this.verdicts = verdicts;
        this.stats = stats;
        this.policy = policy;
        this.sleeper = sleeper;
        this.deadline = deadline;
        this.settings = settings;
        this.ledger = ledger;
        this.rejects = rejects;
        this.slots = new Semaphore(settings.concurrency());
    }

    public DeliveryStats stats() {
        return stats;
    }

    /** Starts delivering a batch as soon as a slot is free (blocks until then). */
    public void submit(List<OutgoingEvent> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(batch, Outcome.RETRY, "interrupted");
            return;
        }
        inFlight.register();
        executor.execute(() -> {
            try {
                deliver(batch);
            } catch (InterruptedException e) {
                record(batch, Outcome.RETRY, "interrupted");
            } catch (RuntimeException e) {
                // A bug must not lose events: they go back to SQS.
                LOG.error("delivery failed unexpectedly", "error", e.getClass().getName(), "events", batch.size());
                record(batch, Outcome.RETRY, "internal_error");
            } finally {
                slots.release();
                inFlight.arriveAndDeregister();
            }
        });
    }

    /** Waits until every submitted batch has an outcome. */
    public void awaitIdle() {
        inFlight.arriveAndAwaitAdvance();
    }

    @Override
    public void close() {
        awaitIdle();
        executor.shutdown();
    }

    /** Delivers one batch synchronously (recursing into halves after a size error). */
    void deliver(List<OutgoingEvent> batch) throws InterruptedException {
        int attempt = 0;
        boolean resentAfterReload = false;
        while (true) {
            Optional<Duration> timeout = requestTimeout();
            if (timeout.isEmpty()) {
                record(batch, Outcome.RETRY, "deadline");
                return;
            }
            String transientReason;
            Optional<Duration> retryAfter = Optional.empty();
            long started = System.nanoTime();
            try {
                MixpanelImport.Response r = mixpanel.send(jsons(batch), timeout.get());
                stats.request((System.nanoTime() - started) / 1_000_000);
                ImportVerdict verdict = verdicts.read(r.status(), r.body());
                switch (verdict) {
                    case ImportVerdict.Imported ok -> {
                        record(batch, Outcome.IMPORTED, null);
                        return;
                    }
                    case ImportVerdict.Partial p -> {
                        partial(batch, p.failures());
                        return;
                    }
                    case ImportVerdict.Refused refused -> {
                        LOG.warn("mixpanel refused a batch", "status", r.status(), "events", batch.size());
                        for (OutgoingEvent e : batch) {
                            rejects.add(mixpanelReject(e, "mixpanel:bad_request",
                                    "Mixpanel " + r.status() + ": " + refused.error()));
                        }
                        return;
                    }
                    case ImportVerdict.TooLarge tooLarge -> {
                        split(batch, r.status());
                        return;
                    }
                    case ImportVerdict.Unauthorized unauthorized -> {
                        if (!resentAfterReload) {
                            resentAfterReload = true;
                            reloadCredentialsOnce();
                            continue;
                        }
                        configurationError(batch, "mixpanel_401");
                        return;
                    }
                    case ImportVerdict.Misconfigured m -> {
                        configurationError(batch, m.reason());
                        return;
                    }
                    case ImportVerdict.Transient t -> {
                        transientReason = t.reason();
                        retryAfter = r.retryAfter();
                    }
                }
            } catch (IOException e) {
                stats.request((System.nanoTime() - started) / 1_000_000);
                transientReason = "mixpanel_unreachable";
            } catch (MixpanelImport.CredentialsException e) {
                if (!e.retryable()) {
                    // the message says which field is missing or malformed (never a value): e.g. project_token
                    LOG.error("mixpanel credentials secret unusable", "detail", e.getMessage());
                    configurationError(batch, "mixpanel_credentials_invalid");
                    return;
                }
                transientReason = "mixpanel_credentials_unavailable";
            }
            attempt++;
            Duration wait = policy.delay(attempt, retryAfter);
            if (attempt >= policy.maxAttempts()
                    || !deadline.allows(wait.plus(settings.minRequestTime()), settings.reserve())) {
                LOG.warn("mixpanel batch returned for redelivery", "reason", transientReason, "attempts", attempt,
                        "events", batch.size());
                record(batch, Outcome.RETRY, transientReason);
                return;
            }
            stats.retry();
            sleeper.sleep(wait);
        }
    }

    private Optional<Duration> requestTimeout() {
        long left = deadline.remainingMillis() - settings.reserve().toMillis();
        if (left < settings.minRequestTime().toMillis()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.min(left, settings.requestTimeout().toMillis())));
    }

    private void split(List<OutgoingEvent> batch, int status) throws InterruptedException {
        if (batch.size() == 1) {
            rejects.add(mixpanelReject(batch.get(0), "mixpanel:too_large",
                    "Mixpanel refused the event as too large (HTTP " + status + ")"));
            return;
        }
        stats.split();
        for (List<OutgoingEvent> half : Batcher.halves(batch)) {
            deliver(half);
        }
    }

    private void partial(List<OutgoingEvent> batch, List<FailedRecord> failures) {
        Map<String, Integer> byInsertId = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byInsertId.putIfAbsent(batch.get(i).insertId(), i);
        }
        Set<Integer> failed = new HashSet<>();
        int unmatched = 0;
        for (FailedRecord f : failures) {
            Integer index = f.index() >= 0 && f.index() < batch.size() ? Integer.valueOf(f.index()) : null;
            if (index != null && f.insertId() != null && !f.insertId().equals(batch.get(index).insertId())
                    && byInsertId.containsKey(f.insertId())) {
                index = byInsertId.get(f.insertId()); // the index disagrees with the id: trust the id
            } else if (index == null && f.insertId() != null) {
                index = byInsertId.get(f.insertId());
            }
            if (index == null) {
                unmatched++;
                continue;
            }
            if (failed.add(index)) {
                String field = f.field() == null || f.field().isBlank() ? "unknown" : f.field();
                String detail = f.field() + ": " + f.message();
                rejects.add(mixpanelReject(batch.get(index), "mixpanel:" + field, detail));
            }
        }
        List<OutgoingEvent> rest = new ArrayList<>(batch.size() - failed.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!failed.contains(i)) {
                rest.add(batch.get(i));
            }
        }
        if (unmatched > 0 || failures.isEmpty()) {
            // Mixpanel refused something it did not name: which of the rest were imported is unknown, so none
            // counts as imported; they come back (resending is safe: $insert_id deduplicates the imported ones)
            LOG.warn("failed_records not matching any sent event: the rest of the batch is returned for redelivery",
                    "unmatched", unmatched, "events", batch.size());
            record(rest, Outcome.RETRY, UNMATCHED_FAILED_RECORDS);
            return;
        }
        record(rest, Outcome.IMPORTED, null);
    }

    private void configurationError(List<OutgoingEvent> batch, String reason) {
        LOG.error("mixpanel configuration problem: check MIXPANEL_SECRET_ID credentials, project id and MIXPANEL_REGION",
                "reason", reason, "events", batch.size());
        record(batch, Outcome.RETRY, reason);
    }

    private void reloadCredentialsOnce() {
        synchronized (reloadLock) {
            if (!credentialsReloaded) {
                credentialsReloaded = true;
                LOG.warn("mixpanel answered 401: reading the credentials secret again");
                mixpanel.reloadCredentials();
            }
        }
    }

    private static RejectedEvent mixpanelReject(OutgoingEvent e, String reasonCode, String detail) {
        return new RejectedEvent(e.messageId(), Outcome.REJECTED_BY_MIXPANEL, reasonCode, detail, e.currentsType(),
                e.origin(), OriginalEvent.json(e.source()), new String(e.json(), StandardCharsets.UTF_8));
    }

    private void record(List<OutgoingEvent> events, Outcome outcome, String reason) {
        // Group per message: one ledger call per message and outcome.
        Map<String, Long> perMessage = new HashMap<>();
        for (OutgoingEvent e : events) {
            perMessage.merge(e.messageId(), 1L, Long::sum);
        }
        perMessage.forEach((id, n) -> ledger.record(id, outcome, reason, n));
    }

    private static List<byte[]> jsons(List<OutgoingEvent> batch) {
        List<byte[]> out = new ArrayList<>(batch.size());
        for (OutgoingEvent e : batch) {
            out.add(e.json());
        }
        return out;
    }
}
