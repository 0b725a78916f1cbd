package dev.currentsbridge.export.domain.redelivery;

import dev.currentsbridge.export.domain.delivery.ImportVerdict;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a message comes back, as far as its redelivery schedule cares: a partner or infrastructure fault that
 * passes by itself ({@link #TRANSIENT}: Mixpanel 5xx/429/timeouts, Secrets Manager or S3 unavailable, the Lambda
 * deadline), or a configuration error that only a person fixes ({@link #CONFIGURATION}: Mixpanel 401/403 or
 * another status that says the credentials, project or region are wrong, an unparsable credentials secret).
 */
public enum RetryCause {
    TRANSIENT,
    CONFIGURATION;

    /** The reason {@code MixpanelDelivery} records for a credentials secret that makes no sense. */
    static final String CREDENTIALS_INVALID = "mixpanel_credentials_invalid";
    private static final Pattern MIXPANEL_STATUS = Pattern.compile("mixpanel_(\\d{3})");

    /** {@link #CONFIGURATION} if any of the retry reasons is one; else {@link #TRANSIENT}. */
    public static RetryCause of(Collection<String> reasons) {
        for (String r : reasons) {
            if (of(r) == CONFIGURATION) {
                return CONFIGURATION;
            }
        }
        return TRANSIENT;
    }

    /** One retry reason: Mixpanel statuses are judged by {@link ImportVerdict}, the one reading of them. */
    public static RetryCause of(String reason) {
        if (reason == null) {
            return TRANSIENT;
        }
        if (CREDENTIALS_INVALID.equals(reason)) {
            return CONFIGURATION;
        }
        Matcher m = MIXPANEL_STATUS.matcher(reason);
        if (m.matches()) {
            ImportVerdict v = ImportVerdict.of(Integer.parseInt(m.group(1)), "");
            if (v instanceof ImportVerdict.Unauthorized || v instanceof ImportVerdict.Misconfigured) {
                return CONFIGURATION;
            }
        }
        return TRANSIENT;
    }
}
