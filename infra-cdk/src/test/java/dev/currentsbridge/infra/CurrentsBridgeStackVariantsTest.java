package dev.currentsbridge.infra;

import static dev.currentsbridge.infra.CurrentsBridgeStack.EXPORT_HANDLER;
import static dev.currentsbridge.infra.CurrentsBridgeStack.INGEST_HANDLER;
import static dev.currentsbridge.infra.CurrentsBridgeStack.REFRESH_HANDLER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Non-default settings: existing secrets and bucket, EU residency, alarm e-mail; and a stack with no bucket. */
class CurrentsBridgeStackVariantsTest {

    private static final String MIXPANEL_ARN =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:currents/mixpanel-AbC123";
    private static final String BRAZE_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:currents/braze";
    private static final String TOKEN_ARN =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:currents/token-XyZ789";

    private static final String KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static Synthesized existing;
    private static Synthesized noBucket;

    @BeforeAll
    static void synth() {
        existing = Synthesized.synth(CurrentsBridgeProps.builder()
                .mixpanelRegion("eu")
                .exportEventTypes("users.messages.email.Open,users.behaviors.CustomEvent")
                .exportEventNames("{\"users.messages.email.Open\":\"Email Opened\"}")
                .identityMode("simplified")
                .exportAnonymous(true)
                .brazeRestEndpoint("https://rest.fra-01.braze.eu")
                .bucketMode(CurrentsBridgeProps.BucketMode.EXISTING)
                .bucketName("my-currents-bucket")
                .currentsPrefix("braze/currents/")
                .alarmEmail("ops@example.com")
                .mixpanelSecretArn(MIXPANEL_ARN)
                .brazeApiKeySecretArn(BRAZE_ARN)
                .currentsTokenSecretArn(TOKEN_ARN)
                .cohortValue("id")
                .currentsBucketKmsKeyArn(KEY_ARN)
                .exportMaxConcurrency(3)
                .exportReservedConcurrency(4));
        noBucket = Synthesized.synth(CurrentsBridgeProps.builder().bucketMode(CurrentsBridgeProps.BucketMode.NONE));
    }

    @Test
    void settingsReachTheEnvironment() {
        var export = existing.environment(EXPORT_HANDLER);
        assertEquals("EU", export.get("MIXPANEL_REGION"));
        assertEquals("users.messages.email.Open,users.behaviors.CustomEvent", export.get("EXPORT_EVENT_TYPES"));
        assertEquals("{\"users.messages.email.Open\":\"Email Opened\"}", export.get("EXPORT_EVENT_NAMES"));
        assertEquals("simplified", export.get("IDENTITY_MODE"));
        assertEquals("true", export.get("EXPORT_ANONYMOUS"));
        var refresh = existing.environment(REFRESH_HANDLER);
        assertEquals("https://rest.fra-01.braze.eu", refresh.get("BRAZE_REST_ENDPOINT"));
        assertEquals("id", refresh.get("COHORT_VALUE"));
    }

    @Test
    void exportConcurrencySettingsReachTheMappingAndTheFunction() {
        var mapping = Synthesized.props(existing.ofType("AWS::Lambda::EventSourceMapping").values().iterator().next());
        assertEquals(3, ((Number) Synthesized.map(mapping.get("ScalingConfig")).get("MaximumConcurrency")).intValue());
        assertEquals(4, ((Number) existing.function(EXPORT_HANDLER).get("ReservedConcurrentExecutions")).intValue());
    }

    @Test
    void existingSecretsAreReferencedByArnAndNotCreated() {
        existing.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
        assertEquals(MIXPANEL_ARN, existing.environment(EXPORT_HANDLER).get("MIXPANEL_SECRET_ID"));
        assertEquals(BRAZE_ARN, existing.environment(REFRESH_HANDLER).get("BRAZE_API_KEY_SECRET_ID"));
        assertEquals(TOKEN_ARN, existing.environment(INGEST_HANDLER).get("CURRENTS_TOKEN_SECRET_ID"));
        assertEquals(List.of(MIXPANEL_ARN), existing.resourcesOf(EXPORT_HANDLER, "secretsmanager:GetSecretValue"));
        assertEquals(List.of(TOKEN_ARN), existing.resourcesOf(INGEST_HANDLER, "secretsmanager:GetSecretValue"));
        // A partial ARN (no random suffix) is granted with the suffix pattern Secrets Manager appends.
        assertEquals(List.of(BRAZE_ARN + "-??????"),
                existing.resourcesOf(REFRESH_HANDLER, "secretsmanager:GetSecretValue"));
    }

    @Test
    void existingBucketGetsNotificationsAndPrefixScopedRead() {
        existing.template.resourceCountIs("AWS::S3::Bucket", 0);
        existing.template.hasResourceProperties("Custom::S3BucketNotifications", Map.of(
                "BucketName", "my-currents-bucket",
                "NotificationConfiguration", Map.of("QueueConfigurations", List.of(Map.of(
                        "Events", List.of("s3:ObjectCreated:*"),
                        "QueueArn", Map.of("Fn::GetAtt",
                                List.of(existing.idOf("AWS::SQS::Queue", "ExportQueue"), "Arn")),
                        "Filter", Map.of("Key", Map.of("FilterRules",
                                List.of(Map.of("Name", "prefix", "Value", "braze/currents/")))))))));
        String read = existing.resourcesOf(EXPORT_HANDLER, "s3:GetObject").toString();
        assertTrue(read.contains(":s3:::my-currents-bucket/braze/currents/*"), read);
        assertEquals("my-currents-bucket", existing.outputs.get("CurrentsBucketName") instanceof Map<?, ?> m
                ? m.get("Value") : null);
    }

    @Test
    void anSseKmsBucketsKeyMayBeUsedToDecryptThroughS3Only() {
        var decrypt = existing.statements(EXPORT_HANDLER).stream()
                .filter(st -> Synthesized.strings(st.get("Action")).contains("kms:Decrypt")).toList();
        assertEquals(1, decrypt.size(), decrypt.toString());
        assertEquals(List.of("kms:Decrypt"), Synthesized.strings(decrypt.get(0).get("Action")));
        assertEquals(KEY_ARN, decrypt.get(0).get("Resource"));
        assertEquals(Map.of("StringEquals", Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com")),
                decrypt.get(0).get("Condition"));
        // No key configured: no KMS permission at all.
        for (Synthesized t : List.of(noBucket, Synthesized.defaults())) {
            assertFalse(t.actions(EXPORT_HANDLER).stream().anyMatch(a -> a.startsWith("kms:")));
        }
    }

    @Test
    void anExistingBucketIsTheOnlySourceThatMaySendToTheExportQueue() {
        var statements = CurrentsBridgeStackTest.s3Statements(existing);
        assertEquals(1, statements.size(), statements.toString());
        String condition = statements.get(0).get("Condition").toString();
        assertTrue(condition.contains("ArnLike") && condition.contains("aws:SourceArn")
                && condition.contains(":s3:::my-currents-bucket"), condition);
        // Without a bucket nothing but the TLS-only deny is on the queue.
        assertEquals(List.of(), CurrentsBridgeStackTest.s3Statements(noBucket));
    }

    @Test
    void alarmEmailIsSubscribedToTheAlarmTopic() {
        existing.template.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "email",
                "Endpoint", "ops@example.com",
                "TopicArn", Map.of("Ref", existing.idOf("AWS::SNS::Topic", "AlarmTopic"))));
    }

    @Test
    void withoutABucketThereAreNoNotificationsAndNoS3Permissions() {
        noBucket.template.resourceCountIs("AWS::S3::Bucket", 0);
        noBucket.template.resourceCountIs("Custom::S3BucketNotifications", 0);
        assertFalse(noBucket.actions(EXPORT_HANDLER).stream().anyMatch(a -> a.startsWith("s3:")),
                noBucket.actions(EXPORT_HANDLER).toString());
        assertFalse(noBucket.outputs.containsKey("CurrentsBucketName"));
        // Everything else is still there: the HTTP connector path does not need the bucket.
        noBucket.template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
        noBucket.template.resourceCountIs("AWS::Lambda::Alias", 4);
    }
}
