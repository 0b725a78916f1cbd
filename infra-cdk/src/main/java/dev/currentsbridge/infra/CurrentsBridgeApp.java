package dev.currentsbridge.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app: one {@link CurrentsBridgeStack}. Settings come from context ({@code cdk synth -c key=value} or
 * {@code cdk.json}); see {@link CurrentsBridgeProps} for the keys. {@code region}/{@code account} pin the stack's
 * environment; without them the stack is environment-agnostic (the CLI's profile decides at deploy time).
 */
public final class CurrentsBridgeApp {

    private CurrentsBridgeApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        CurrentsBridgeProps props = CurrentsBridgeProps.fromContext(app.getNode()::tryGetContext);
        String stackName = contextOr(app, "stackName", "CurrentsBridge");
        String region = contextOr(app, "region", System.getenv("CDK_DEFAULT_REGION"));
        String account = contextOr(app, "account", System.getenv("CDK_DEFAULT_ACCOUNT"));

        StackProps.Builder stackProps = StackProps.builder()
                .description("Currents Bridge: Braze Currents -> Mixpanel, Mixpanel cohorts -> Braze");
        if (region != null || account != null) {
            stackProps.env(Environment.builder().region(region).account(account).build());
        }
        new CurrentsBridgeStack(app, stackName, stackProps.build(), props);
        // cdk-nag on every synth, so a deployment's own settings are checked too; findings print as annotations
        // (errors stop `cdk deploy`). Every suppression is next to its resource, with its reason.
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }

    private static String contextOr(App app, String key, String fallback) {
        Object v = app.getNode().tryGetContext(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString();
    }
}
