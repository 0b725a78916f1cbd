package dev.currentsbridge.export.port;

import java.util.Optional;

/**
 * Braze user id -> external id, learnt from the events that pass through the export (with
 * {@code FORWARD_DELETIONS}): a {@code users.UserDeleteRequest} carries only the Braze user id, and Mixpanel
 * deletes by {@code distinct_id}, which is the external id (docs/DELETIONS.md).
 */
public interface IdentityMap {

    /** The external id last seen with {@code brazeUserId}, if any. */
    Optional<String> externalId(String brazeUserId);

    /** Records that {@code brazeUserId} is {@code externalId}; an unchanged pair may cost nothing. */
    void remember(String brazeUserId, String externalId);
}
