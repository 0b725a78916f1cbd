package dev.currentsbridge.cohorts.port;

import dev.currentsbridge.cohorts.model.MemberRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Braze {@code /users/track} for cohort attribute changes. */
public interface BrazeUsers {

    /**
     * Braze's documented maximum of attributes objects per request (75; Monthly-Active-Users contracts allow 50,
     * configured by {@code BRAZE_OBJECTS_PER_REQUEST}).
     */
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

    /** Braze's answer, classified by what it means for the users of the request (see docs/COHORTS.md). */
    sealed interface TrackResult {
        /** Accepted; {@code rejected} maps an object's index in the request to Braze's reason. */
        record Ok(Map<Integer, String> rejected) implements TrackResult {
        }

        /**
         * HTTP 429; wait {@code retryAfter}, until Braze's rate-limit window resets ({@code X-RateLimit-Reset}), null when Braze
         * said nothing usable.
         */
        record Throttled(Duration retryAfter) implements TrackResult {
        }

        /**
         * No usable answer, or Braze failing (5xx, network error, timeout, the key store hiccuping): Braze may or
         * may not have applied the request; send it again later.
         */
        record Unavailable(int status, String reason) implements TrackResult {
        }

        /** HTTP 400 about the payload: Braze refuses something in this request, with its reason. */
        record PayloadRefused(String reason) implements TrackResult {
        }

        /**
         * Anything saying the configuration or Braze is wrong (3xx, 401 after re-reading the key, 403, 404, 408,
         * 413, other 4xx, an answer that is not Braze's): nothing about the users; the run must stop with every
         * change still pending. Status 0 when no HTTP status applies (e.g. the key's secret does not exist).
         */
        record Misconfigured(int status, String reason) implements TrackResult {
        }
    }
}
