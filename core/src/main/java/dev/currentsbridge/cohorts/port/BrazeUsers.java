package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.MemberRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Braze {@code /users/track} for cohort attribute changes. */
public interface BrazeUsers {

    /** Braze's documented maximum of attributes objects per request. */
    int MAX_OBJECTS = 75;

    /** Sends at most {@link #MAX_OBJECTS} updates as one request. */
    TrackResult track(List<AttributeUpdate> updates);

    /** SnapStart priming: load the request path's classes without sending anything or reading the API key. */
    default void warmUp() {
    }

    /** One attributes object: add/remove values of one array attribute for one existing user. */
    record AttributeUpdate(MemberRef member, String attribute, List<String> add, List<String> remove) {
        public AttributeUpdate {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    sealed interface TrackResult {
        /** Accepted; {@code rejected} maps an object's index in the request to Braze's reason. */
        record Ok(Map<Integer, String> rejected) implements TrackResult {
        }

        /** HTTP 429; {@code retryAfter} is null when Braze sent no usable Retry-After. */
        record Throttled(Duration retryAfter) implements TrackResult {
        }

        /** Any other failure: status 0 for network errors. */
        record Failed(int status, String reason, boolean retryable) implements TrackResult {
        }
    }
}
