package dev.currentsbridge.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * The cdk-nag {@code AwsSolutions} pack finds nothing unsuppressed in the stack, in each bucket mode. The
 * suppressions (each with its reason) sit next to their resources in the main code; one that stops holding
 * (say, a second wildcard on the export role) shows up here as a finding. Each checked template is also
 * written to {@code target/cdk.out/} for cfn-lint ({@code .ci/run}).
 */
class CdkNagTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("new bucket, created secrets", "default", CurrentsBridgeProps.builder()),
                Arguments.of("existing SSE-KMS bucket, existing secrets", "existing-bucket", CurrentsBridgeProps.builder()
                        .bucketMode(CurrentsBridgeProps.BucketMode.EXISTING)
                        .bucketName("my-currents-bucket")
                        .currentsPrefix("braze/currents.v2/")
                        .currentsBucketKmsKeyArn("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
                        .mixpanelSecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:mixpanel-AbC123")
                        .brazeApiKeySecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:braze")
                        .currentsTokenSecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-XyZ789")
                        .alarmEmail("ops@example.com")),
                Arguments.of("no bucket", "no-bucket", CurrentsBridgeProps.builder().bucketMode(CurrentsBridgeProps.BucketMode.NONE)),
                Arguments.of("deletions forwarded", "forward-deletions", CurrentsBridgeProps.builder().forwardDeletions(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void awsSolutionsPackReportsNothingUnsuppressed(String name, String file, CurrentsBridgeProps.Builder props)
            throws Exception {
        App app = new App(listingFindings());
        CurrentsBridgeStack stack = new CurrentsBridgeStack(app, "NagStack", StackProps.builder()
                .env(Environment.builder().account("123456789012").region("eu-west-1").build()).build(),
                props.functionsAsset(Synthesized.placeholderAsset()).build());
        Aspects.of(app).add(new AwsSolutionsChecks());
        Annotations annotations = Annotations.fromStack(stack);

        List<String> findings = new ArrayList<>();
        for (SynthesisMessage m : annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))) {
            findings.add("error " + m.getId() + " " + m.getEntry().getData());
        }
        for (SynthesisMessage m : annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))) {
            findings.add("warning " + m.getId() + " " + m.getEntry().getData());
        }
        assertEquals(List.of(), findings, name);

        // .ci/run lints these with cfn-lint: the templates as synthesised, feature flags of cdk.json included.
        Path out = Path.of("target", "cdk.out", "CurrentsBridge-" + file + ".template.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                Template.fromStack(stack).toJSON()));
    }

    @Test
    void theCheckSeesAFindingThatIsNotSuppressed() {
        App app = new App(listingFindings());
        Stack stack = new Stack(app, "Bad");
        Queue.Builder.create(stack, "PlainQueue").build(); // no DLQ, no TLS-only policy
        Aspects.of(app).add(new AwsSolutionsChecks());
        List<String> rules = Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                .stream().map(m -> m.getEntry().getData().toString().replaceAll("(?s):.*", "").strip()).toList();
        assertTrue(rules.containsAll(List.of("AwsSolutions-SQS3", "AwsSolutions-SQS4")), rules.toString());
    }

    @Test
    void withTheFlagsOfCdkJsonAnUnsuppressedFindingFailsSynthesis() {
        // @aws-cdk/core:annotationsInValidationReport: `cdk synth` and `cdk deploy` stop on a nag error.
        App app = new App(Synthesized.appProps());
        Stack stack = new Stack(app, "Bad");
        Queue.Builder.create(stack, "PlainQueue").build();
        Aspects.of(app).add(new AwsSolutionsChecks());
        var e = assertThrows(RuntimeException.class, () -> Template.fromStack(stack));
        assertTrue(e.getMessage().contains("Validation failed"), e.getMessage());
    }

    /**
     * cdk.json's context, except that error annotations stay annotations (instead of failing synthesis with a
     * validation report), so a test failure lists every finding. The flag does not change the template.
     */
    private static AppProps listingFindings() {
        Map<String, Object> context = new HashMap<>(Synthesized.appProps().getContext());
        context.put("@aws-cdk/core:annotationsInValidationReport", false);
        return AppProps.builder().context(context).build();
    }
}
