package dev.currentsbridge.export.port;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Mixpanel's GDPR API ({@code /api/app/data-deletions/v3.0}, Bearer OAuth token, project token in the query).
 * Throws {@link MixpanelImport.CredentialsException} when the GDPR token or project token cannot be had.
 */
public interface MixpanelDeletions {

    /**
     * One answer of the GDPR API.
     *
     * @param taskId     the deletion task's id (a created task), else null
     * @param taskStatus the task's status (a status GET), else null
     */
    record Answer(int status, String taskId, String taskStatus, Optional<Duration> retryAfter) {
        public Answer {
            retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
        }
    }

    /** {@code POST}: asks Mixpanel to delete the data of up to 2000 distinct ids. */
    Answer request(List<String> distinctIds, String complianceType, Duration timeout)
            throws IOException, InterruptedException;

    /** {@code GET .../<task id>}: the task's status. */
    Answer status(String taskId, Duration timeout) throws IOException, InterruptedException;
}
