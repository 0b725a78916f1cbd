package dev.currentsbridge.export.adapter;

import dev.currentsbridge.export.port.DeletionStore;
import dev.currentsbridge.export.port.IdentityMap;
import dev.currentsbridge.export.port.MixpanelDeletions;

/**
 * The adapters deletion forwarding runs on ({@code FORWARD_DELETIONS}): on AWS {@link DynamoDeletionState} (as both
 * map and store) and {@link MixpanelHttpDeletions}; locally the file state of {@code standins.local}.
 */
public record DeletionPorts(IdentityMap identities, DeletionStore store, MixpanelDeletions mixpanel) {
}
