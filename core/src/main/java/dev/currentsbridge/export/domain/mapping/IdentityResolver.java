package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.io.SerializedString;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.IdentityMode.DistinctIdCandidate;
import dev.currentsbridge.export.domain.mapping.IdentityMode.IdentityProperty;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;

import java.util.List;
import java.util.Map;

/**
 * An {@link IdentityConfig} compiled for {@link EventMapper}: finds an event's {@code distinct_id} and identity
 * property values. Immutable and thread-safe.
 */
final class IdentityResolver {

    /** What the identity of one event came to. */
    sealed interface Result {
    }

    /** @param values one per {@link #names()} entry, null where the source has no usable value */
    record Identified(String distinctId, String[] values) implements Result {
    }

    record Unidentified(SkipReason reason) implements Result {
    }

    /** The reason names the field, never its value (personal data stays out of rejects and logs). */
    record Refused(String reason) implements Result {
    }

    private final List<DistinctIdCandidate> candidates;
    private final IdentitySource[] sources;
    private final SerializedString[] names;
    private final SkipReason noIdentity;

    IdentityResolver(IdentityConfig config) {
        List<DistinctIdCandidate> all = config.mode().distinctIdFrom;
        this.candidates = config.exportAnonymous() ? all : all.subList(0, 1);
        List<IdentityProperty> properties = config.mode().properties;
        this.sources = new IdentitySource[properties.size()];
        this.names = new SerializedString[properties.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = properties.get(i).source();
            names[i] = new SerializedString(properties.get(i).property());
        }
        this.noIdentity = config.exportAnonymous() ? SkipReason.NO_USER_OR_DEVICE_ID : SkipReason.NO_EXTERNAL_USER_ID;
    }

    /** The identity property names, in output order. */
    SerializedString[] names() {
        return names;
    }

    Result resolve(CurrentsEvent event, Map<String, Object> fields) {
        String distinctId = null;
        for (DistinctIdCandidate candidate : candidates) {
            String value = candidate.source().read(event, fields);
            if (value == null) {
                continue;
            }
            if (IdentitySource.isPlaceholder(value)) {
                if (candidate.source().placeholderIsInvalid) {
                    return new Refused(candidate.source().field + " is a placeholder value Mixpanel rejects as distinct_id");
                }
                continue;
            }
            if (distinctId == null) {
                distinctId = candidate.prefix() + value;
            }
        }
        if (distinctId == null) {
            return new Unidentified(noIdentity);
        }
        String[] values = new String[sources.length];
        for (int i = 0; i < sources.length; i++) {
            String value = sources[i].read(event, fields);
            values[i] = value == null || IdentitySource.isPlaceholder(value) ? null : value;
        }
        return new Identified(distinctId, values);
    }
}
