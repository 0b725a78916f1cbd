package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.ValueSource;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import java.time.Duration;
import java.util.Locale;

/**
 * The cohort pipeline's configuration (see docs/ARCHITECTURE.md for the variables).
 *
 * @param memberIdField which Mixpanel member property names the Braze user; {@code email} makes members
 *                      email-identified, anything else external-id-identified
 */
public record CohortSettings(
        String attribute,
        ValueSource valueSource,
        String memberIdField,
        SyncMode defaultSyncMode,
        int staleAfterIntervals,
        Duration refreshInterval) {

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
        return new CohortSettings(env.get("COHORT_ATTRIBUTE", DEFAULT_ATTRIBUTE), source,
                env.get("MEMBER_ID_FIELD", DEFAULT_MEMBER_ID_FIELD), mode, stale, Duration.ofMinutes(minutes));
    }

    public IdKind memberIdKind() {
        return "email".equals(memberIdField) ? IdKind.EMAIL : IdKind.EXTERNAL_ID;
    }

    public Duration staleAfter() {
        return refreshInterval.multipliedBy(staleAfterIntervals);
    }
}
