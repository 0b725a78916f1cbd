package dev.currentsbridge.infra;

import java.util.regex.Pattern;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;

/**
 * The three secrets: existing ones by ARN, or new ones holding a generated placeholder (retained on stack
 * deletion). Construct ids are the stack's, so logical ids are those of the secrets' first release.
 */
final class Secrets {

    private static final Pattern COMPLETE_SECRET_ARN = Pattern.compile(".*-[A-Za-z0-9]{6}$");

    final ISecret mixpanel;
    final ISecret braze;
    final ISecret currentsToken;

    Secrets(Stack stack, CurrentsBridgeProps props) {
        mixpanel = secret(stack, "MixpanelSecret", props.mixpanelSecretArn(),
                "Mixpanel credentials for /import: replace with {\"service_account_user\",\"service_account_secret\","
                        + "\"project_id\"} or {\"api_secret\"} or {\"project_token\"}",
                SecretStringGenerator.builder()
                        .secretStringTemplate("{\"service_account_user\":\"REPLACE_ME\",\"project_id\":\"REPLACE_ME\"}")
                        .generateStringKey("service_account_secret")
                        .excludePunctuation(true)
                        .build());
        braze = secret(stack, "BrazeApiKeySecret", props.brazeApiKeySecretArn(),
                "Braze REST API key with users.track permission: replace the generated placeholder",
                SecretStringGenerator.builder().excludePunctuation(true).passwordLength(36).build());
        // The generated value is usable as is: paste it into the Braze HTTP connector as the bearer token.
        currentsToken = secret(stack, "CurrentsTokenSecret", props.currentsTokenSecretArn(),
                "Bearer token the Braze Currents HTTP connector sends to POST /currents",
                SecretStringGenerator.builder().excludePunctuation(true).passwordLength(40).build());
    }

    private static ISecret secret(Stack stack, String id, String existingArn, String description,
                                  SecretStringGenerator placeholder) {
        if (existingArn != null) {
            // A complete ARN ends in the 6-character suffix Secrets Manager appends; grants on a partial ARN
            // need the "-??????" pattern CDK adds for partial ARNs.
            return COMPLETE_SECRET_ARN.matcher(existingArn).matches()
                    ? Secret.fromSecretCompleteArn(stack, id, existingArn)
                    : Secret.fromSecretPartialArn(stack, id, existingArn);
        }
        Secret secret = Secret.Builder.create(stack, id)
                .description(description)
                .generateSecretString(placeholder)
                // Credentials a person typed in must survive a stack deletion.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        CurrentsBridgeStack.suppress(secret, "AwsSolutions-SMG4", "Holds a third-party credential (Mixpanel"
                + " service account, Braze REST key) or the token configured in Braze's Currents connector: Secrets"
                + " Manager cannot rotate these at their issuer; rotate them there and put the new value here"
                + " (docs/OPERATIONS.md).");
        return secret;
    }
}
