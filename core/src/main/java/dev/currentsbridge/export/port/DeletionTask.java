package dev.currentsbridge.export.port;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * One Mixpanel deletion task (no user ids: only how many it covers).
 *
 * @param status    Mixpanel's last answer for it ({@code PENDING} until the first check)
 * @param checkedAt when the status was last asked (the submission time before that)
 */
public record DeletionTask(String taskId, int distinctIds, String complianceType, String status,
                           Instant submittedAt, Instant checkedAt) {

    /** Statuses after which Mixpanel does nothing more with the task. */
    public static final Set<String> FINAL = Set.of("SUCCESS", "FAILURE", "REVOKED", "NOT_FOUND");

    public boolean finished() {
        return FINAL.contains(status.toUpperCase(Locale.ROOT));
    }

    public DeletionTask checked(String newStatus, Instant at) {
        return new DeletionTask(taskId, distinctIds, complianceType, newStatus, submittedAt, at);
    }
}
