package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.ValueSource;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import java.time.Duration;
import java.util.Locale;

/**
 * The cohort pipeline's configuration (see docs/ARCHITECTURE.md for the variables).
 *
 * @param memberIdField            which Mixpanel member property names the Braze user; {@code email} makes
 *                                 members email-identified, anything else external-id-identified
 * @param objectsPerRequest        attributes objects per {@code /users/track} request ({@code BRAZE_OBJECTS_PER_REQUEST},
 *                                 75; 50 for Monthly-Active-Users contracts)
 * @param arrayMax                 Braze's cap on the values of the array attribute ({@code COHORT_ARRAY_MAX}, 25 as
 *                                 Braze documents by default): a user is not given more
 * @param massRemovalMaxPercent    a full sync removing more than this share of a cohort is held for confirmation
 *                                 ({@code MASS_REMOVAL_MAX_PERCENT}, 50; {@code off}: -1, never held)
 * @param massRemovalMinMembers    ... of a cohort of at least this many members ({@code MASS_REMOVAL_MIN_MEMBERS}, 100)
 */
public record CohortSettings(
        String attribute,
        ValueSource valueSource,
        String memberIdField,
        SyncMode defaultSyncMode,
        int staleAfterIntervals,
        Duration refreshInterval,
        int objectsPerRequest,
        int arrayMax,
        int massRemovalMaxPercent,
        int massRemovalMinMembers) {

    public static final String DEFAULT_ATTRIBUTE = "Mixpanel_Cohorts";
    public static final String DEFAULT_MEMBER_ID_FIELD = "mixpanel_distinct_id";

    public static CohortSettings defaults() {
        return fromEnv(name -> null);
    }

    public static CohortSettings fromEnv(Env env) {
        String value = env.get("COHORT_VALUE", "name").toLowerCase(Locale.ROOT);
        ValueSource source = switch (value) {
            case "name" -> ValueSource.NAME;
            case "id" -> ValueSource.ID;
            default -> throw new ConfigException("COHORT_VALUE must be name or id, got '" + value + "'");
        };
        String modeText = env.get("DEFAULT_SYNC_MODE", "dynamic");
        SyncMode mode = SyncMode.parse(modeText)
                .orElseThrow(() -> new ConfigException("DEFAULT_SYNC_MODE must be dynamic or one_time, got '" + modeText + "'"));
        int stale = env.getInt("STALE_AFTER_INTERVALS", 4);
        int minutes = env.getInt("REFRESH_INTERVAL_MINUTES", 15);
        if (stale < 1 || minutes < 1) {
            throw new ConfigException("STALE_AFTER_INTERVALS and REFRESH_INTERVAL_MINUTES must be at least 1");
        }
        int perRequest = env.getInt("BRAZE_OBJECTS_PER_REQUEST", BrazeUsers.MAX_OBJECTS);
        if (perRequest < 1 || perRequest > BrazeUsers.MAX_OBJECTS) {
            throw new ConfigException("BRAZE_OBJECTS_PER_REQUEST must be 1 to " + BrazeUsers.MAX_OBJECTS
                    + " (50 for Monthly-Active-Users contracts)");
        }
        int arrayMax = env.getInt("COHORT_ARRAY_MAX", DEFAULT_ARRAY_MAX);
        if (arrayMax < 1) {
            throw new ConfigException("COHORT_ARRAY_MAX must be at least 1");
        }
        String percentText = env.get("MASS_REMOVAL_MAX_PERCENT", "50").strip();
        int percent;
        if (percentText.equalsIgnoreCase("off")) {
            percent = MASS_REMOVAL_OFF;
        } else {
            percent = env.getInt("MASS_REMOVAL_MAX_PERCENT", 50);
            if (percent < 0 || percent > 100) {
                throw new ConfigException("MASS_REMOVAL_MAX_PERCENT must be 0 to 100, or off");
            }
        }
        int minMembers = env.getInt("MASS_REMOVAL_MIN_MEMBERS", 100);
        if (minMembers < 1) {
            throw new ConfigException("MASS_REMOVAL_MIN_MEMBERS must be at least 1");
        }
        return new CohortSettings(env.get("COHORT_ATTRIBUTE", DEFAULT_ATTRIBUTE), source,
                env.get("MEMBER_ID_FIELD", DEFAULT_MEMBER_ID_FIELD), mode, stale, Duration.ofMinutes(minutes),
                perRequest, arrayMax, percent, minMembers);
    }

    /** Braze's documented default cap of an array attribute's values (user attributes object page). */
    public static final int DEFAULT_ARRAY_MAX = 25;
    /** {@link #massRemovalMaxPercent} when the mass-removal safeguard is off. */
    public static final int MASS_REMOVAL_OFF = -1;

    /** True when a full sync taking {@code removals} of {@code before} members must wait for confirmation. */
    public boolean massRemoval(long before, long removals) {
        return massRemovalMaxPercent != MASS_REMOVAL_OFF && before >= massRemovalMinMembers
                && removals * 100 > (long) massRemovalMaxPercent * before;
    }

    public IdKind memberIdKind() {
        return "email".equals(memberIdField) ? IdKind.EMAIL : IdKind.EXTERNAL_ID;
    }

    public Duration staleAfter() {
        return refreshInterval.multipliedBy(staleAfterIntervals);
    }
}
