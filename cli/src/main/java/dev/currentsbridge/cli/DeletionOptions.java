package dev.currentsbridge.cli;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.domain.deletion.DeletionSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --forward-deletions} and {@code --deletion-compliance-type}, shared by {@code bridge export} and
 * {@code bridge local}; they read the export function's own variables ({@code FORWARD_DELETIONS},
 * {@code DELETION_COMPLIANCE_TYPE}) when absent (docs/DELETIONS.md).
 */
public final class DeletionOptions {

    public static final Option FORWARD = Option.flag("forward-deletions",
            "forward users.UserDeleteRequest to Mixpanel's GDPR API (the user's external id) and skip the user's later"
            + " events; needs gdpr_oauth_token and project_token in the Mixpanel credentials")
            .withEnv(DeletionSettings.FORWARD_DELETIONS);
    public static final Option COMPLIANCE = Option.value("deletion-compliance-type", "GDPR|CCPA", "GDPR",
            "compliance_type of the deletion requests").withEnv(DeletionSettings.COMPLIANCE_TYPE);

    private DeletionOptions() {
    }

    public static boolean enabled(Invocation inv) {
        if (inv.has(FORWARD)) {
            return true;
        }
        String v = inv.lookup(FORWARD).orElse(null);
        try {
            return DeletionSettings.enabled(Env.of(v == null ? Map.of()
                    : Map.of(DeletionSettings.FORWARD_DELETIONS, v)));
        } catch (RuntimeException e) {
            throw new CliException("--forward-deletions: " + e.getMessage());
        }
    }

    /** {@code environment} with the two variables set from the options, for the export handler. */
    public static Map<String, String> environment(Invocation inv, Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(DeletionSettings.FORWARD_DELETIONS, Boolean.toString(enabled(inv)));
        env.put(DeletionSettings.COMPLIANCE_TYPE, inv.get(COMPLIANCE));
        return env;
    }
}
