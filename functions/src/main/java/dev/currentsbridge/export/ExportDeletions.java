package dev.currentsbridge.export;

import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.adapter.DeletionPorts;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.domain.deletion.DeletionForwarding;
import dev.currentsbridge.export.domain.deletion.DeletionSettings;
import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * Deletion forwarding for the export function ({@code FORWARD_DELETIONS}, {@code DELETION_COMPLIANCE_TYPE},
 * docs/DELETIONS.md): null when off. On and without deletion adapters among the ports is a configuration error.
 */
final class ExportDeletions {

    private ExportDeletions() {
    }

    static DeletionForwarding forwarding(Env env, ExportPorts ports, RandomGenerator jitter, Sleeper sleeper) {
        if (!DeletionSettings.enabled(env)) {
            return null;
        }
        DeletionPorts d = ports.deletions();
        if (d == null) {
            throw new ConfigException(
                    "FORWARD_DELETIONS is on but no deletion state is wired (TABLE_NAME)");
        }
        return DeletionSettings.forwarding(env, d.identities(), d.store(), d.mixpanel(), RetryPolicy.mixpanel(jitter),
                sleeper, Clock.systemUTC());
    }
}
