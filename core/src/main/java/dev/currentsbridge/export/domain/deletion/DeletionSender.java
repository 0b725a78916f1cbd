package dev.currentsbridge.export.domain.deletion;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;
import dev.currentsbridge.export.port.DeletionTask;
import dev.currentsbridge.export.port.MixpanelDeletions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Sends one deletion request until Mixpanel accepts it (429 and 5xx retried by the {@code RetryPolicy}, its
 * {@code Retry-After} honoured, while the deadline allows), and asks the status of open tasks. A missing or
 * refused GDPR token is a configuration error: the requests come back, no user gets a verdict from it.
 */
final class DeletionSender {

    sealed interface Result {
        record Accepted(String taskId) implements Result {
        }

        record Retry(String reason) implements Result {
        }

        record Refused(String reason, String detail) implements Result {
        }
    }

    static final String UNAVAILABLE = "deletion_unavailable";
    static final String RATE_LIMITED = "deletion_rate_limited";
    static final String CREDENTIALS = "deletion_credentials";

    private static final Log LOG = Log.get(DeletionSender.class);

    private final DeletionForwarding f;
    private final Deadline deadline;
    private final DeliverySettings settings;

    DeletionSender(DeletionForwarding f, Deadline deadline, DeliverySettings settings) {
        this.f = f;
        this.deadline = deadline;
        this.settings = settings;
    }

    Result send(List<String> ids) {
        String lastReason = UNAVAILABLE;
        for (int attempt = 1; attempt <= f.retryPolicy().maxAttempts(); attempt++) {
            if (!deadline.allows(settings.minRequestTime(), settings.reserve())) {
                break;
            }
            MixpanelDeletions.Answer a;
            try {
                a = f.mixpanel().request(List.copyOf(ids), f.complianceType(), settings.requestTimeout());
            } catch (CredentialsException e) {
                LOG.warn("GDPR credentials unavailable: deletion requests come back", "reason", e.getMessage());
                return new Result.Retry(CREDENTIALS);
            } catch (IOException e) {
                a = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result.Retry(UNAVAILABLE);
            }
            Optional<Duration> hint = Optional.empty();
            if (a != null) {
                if ((a.status() == 200 || a.status() == 201) && a.taskId() != null) {
                    accepted(a.taskId(), ids.size());
                    return new Result.Accepted(a.taskId());
                }
                if (a.status() == 401 || a.status() == 403) {
                    LOG.warn("Mixpanel refused the GDPR token: deletion requests come back", "status", a.status());
                    return new Result.Retry(CREDENTIALS);
                }
                if (a.status() != 429 && a.status() < 500 && a.status() >= 400) {
                    LOG.warn("Mixpanel refused a deletion request", "status", a.status(), "distinct_ids", ids.size());
                    return new Result.Refused("mixpanel:deletion_" + a.status(),
                            "Mixpanel answered " + a.status() + " to the deletion request");
                }
                lastReason = a.status() == 429 ? RATE_LIMITED : UNAVAILABLE;
                hint = a.retryAfter();
            } else {
                lastReason = UNAVAILABLE;
            }
            Duration wait = f.retryPolicy().delay(attempt, hint);
            if (attempt == f.retryPolicy().maxAttempts()
                    || !deadline.allows(wait.plus(settings.minRequestTime()), settings.reserve())) {
                break;
            }
            try {
                f.sleeper().sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("deletion request not accepted in this invocation: it comes back", "reason", lastReason,
                "distinct_ids", ids.size());
        return new Result.Retry(lastReason);
    }

    private void accepted(String taskId, int count) {
        Instant now = f.clock().instant();
        f.store().saveTask(new DeletionTask(taskId, count, f.complianceType(), "PENDING", now, now));
        LOG.info("deletion request accepted by Mixpanel", "task_id", taskId, "distinct_ids", count);
    }

    /** Asks the status of a few tasks not checked for {@code checkEvery}; a failure waits for a later run. */
    void checkTasks() {
        Instant now = f.clock().instant();
        List<DeletionTask> due;
        try {
            due = f.store().tasksToCheck(now.minus(f.checkEvery()), DeletionForwarding.CHECKS_PER_RUN);
        } catch (RuntimeException e) {
            LOG.warn("deletion tasks not readable: checked on a later run", "error", e.getClass().getName());
            return;
        }
        for (DeletionTask task : due) {
            if (!deadline.allows(settings.minRequestTime(), settings.reserve())) {
                return;
            }
            try {
                MixpanelDeletions.Answer a = f.mixpanel().status(task.taskId(), settings.requestTimeout());
                if (a.status() == 200 && a.taskStatus() != null) {
                    DeletionTask updated = task.checked(a.taskStatus(), now);
                    f.store().saveTask(updated);
                    LOG.info("deletion task status", "task_id", task.taskId(), "status", a.taskStatus(),
                            "finished", updated.finished());
                } else {
                    LOG.warn("deletion task status not available", "task_id", task.taskId(), "status", a.status());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("deletion task status not available", "task_id", task.taskId(),
                        "error", e.getClass().getName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
