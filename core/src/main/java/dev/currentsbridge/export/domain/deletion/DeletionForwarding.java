package dev.currentsbridge.export.domain.deletion;

import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.delivery.RejectBuffer;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.port.DeletionStore;
import dev.currentsbridge.export.port.IdentityMap;
import dev.currentsbridge.export.port.MixpanelDeletions;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Forwarding of Braze user deletions to Mixpanel ({@code FORWARD_DELETIONS}, docs/DELETIONS.md): what every
 * {@link DeletionRun} is built from. Off when an export setup has none.
 *
 * @param identities     Braze user id -> external id (put a {@link CachedIdentityMap} in front of a remote store)
 * @param complianceType {@code GDPR} or {@code CCPA}, sent with every request
 * @param checkEvery     how long a task's status is left alone before it is asked again
 */
public record DeletionForwarding(IdentityMap identities, DeletionStore store, MixpanelDeletions mixpanel,
                                 String complianceType, RetryPolicy retryPolicy, Sleeper sleeper, Clock clock,
                                 Duration checkEvery) {

    /** Mixpanel's limit of distinct ids per deletion request. */
    public static final int MAX_IDS_PER_REQUEST = 2000;
    /** Task statuses asked per run at most (the GDPR API is rate-limited; deletions are rare). */
    public static final int CHECKS_PER_RUN = 3;

    public DeletionForwarding {
        complianceType = complianceType(complianceType);
    }

    public DeletionForwarding(IdentityMap identities, DeletionStore store, MixpanelDeletions mixpanel,
                              String complianceType, RetryPolicy retryPolicy, Sleeper sleeper, Clock clock) {
        this(identities, store, mixpanel, complianceType, retryPolicy, sleeper, clock, Duration.ofHours(1));
    }

    /** {@code GDPR} (the default when null or blank) or {@code CCPA}; anything else is refused. */
    public static String complianceType(String value) {
        if (value == null || value.isBlank()) {
            return "GDPR";
        }
        String v = value.strip().toUpperCase(Locale.ROOT);
        if (!v.equals("GDPR") && !v.equals("CCPA")) {
            throw new IllegalArgumentException("DELETION_COMPLIANCE_TYPE must be GDPR or CCPA, got '" + value + "'");
        }
        return v;
    }

    public DeletionRun start(EventLedger ledger, RejectBuffer rejects, Deadline deadline, DeliverySettings settings) {
        return new DeletionRun(this, ledger, rejects, deadline, settings);
    }
}
