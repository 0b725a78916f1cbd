package dev.currentsbridge.infra;

import static dev.currentsbridge.infra.CurrentsBridgeStack.COHORT_API_HANDLER;
import static dev.currentsbridge.infra.CurrentsBridgeStack.EXPORT_HANDLER;
import static dev.currentsbridge.infra.CurrentsBridgeStack.INGEST_HANDLER;
import static dev.currentsbridge.infra.CurrentsBridgeStack.REFRESH_HANDLER;
import static dev.currentsbridge.infra.Synthesized.map;
import static dev.currentsbridge.infra.Synthesized.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;

/** The stack with default settings (no context): synthesised once for the whole class. */
class CurrentsBridgeStackTest {

    private static final List<String> HANDLERS = List.of(EXPORT_HANDLER, INGEST_HANDLER, COHORT_API_HANDLER,
            REFRESH_HANDLER);
    private static final Set<String> SECRET_READ = Set.of("secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret");
    private static final Set<String> QUEUE_SEND = Set.of("sqs:SendMessage", "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl");
    private static final Set<String> QUEUE_CONSUME = Set.of("sqs:ReceiveMessage", "sqs:ChangeMessageVisibility",
            "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes");
    /** What the cohort API's code calls: it never writes members, so no BatchWriteItem. */
    private static final Set<String> COHORT_API_TABLE = Set.of("dynamodb:GetItem", "dynamodb:Query",
            "dynamodb:PutItem", "dynamodb:UpdateItem");
    /** What the refresh's code calls: member writes in batches, no single-item puts. */
    private static final Set<String> REFRESH_TABLE = Set.of("dynamodb:GetItem", "dynamodb:Query",
            "dynamodb:UpdateItem", "dynamodb:BatchWriteItem");
    private static final Set<String> LOG_WRITE = Set.of("logs:CreateLogStream", "logs:PutLogEvents");

    private static Synthesized s;

    @BeforeAll
    static void synth() {
        s = Synthesized.defaults();
    }

    // ---------------------------------------------------------------- functions

    @Test
    void everyFunctionRunsJava25OnArm64WithSnapStartAndTheChosenSizing() {
        Map<String, List<Integer>> memoryAndTimeout = Map.of(
                EXPORT_HANDLER, List.of(1024, 120),
                INGEST_HANDLER, List.of(512, 10),
                COHORT_API_HANDLER, List.of(512, 15),
                REFRESH_HANDLER, List.of(1024, 300));
        s.template.resourcePropertiesCountIs("AWS::Lambda::Function",
                Match.objectLike(Map.of("Runtime", "java25")), 4);
        for (String handler : HANDLERS) {
            Map<String, Object> fn = s.function(handler);
            assertEquals("java25", fn.get("Runtime"), handler);
            assertEquals(List.of("arm64"), fn.get("Architectures"), handler);
            assertEquals(Map.of("ApplyOn", "PublishedVersions"), fn.get("SnapStart"), handler);
            assertEquals(memoryAndTimeout.get(handler).get(0), ((Number) fn.get("MemorySize")).intValue(), handler);
            assertEquals(memoryAndTimeout.get(handler).get(1), ((Number) fn.get("Timeout")).intValue(), handler);
            assertEquals("-XX:+TieredCompilation -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED",
                    s.environment(handler).get("JAVA_TOOL_OPTIONS"), handler);
        }
    }

    @Test
    void onlyTheRefreshHasReservedConcurrencyOfOne() {
        assertEquals(1, ((Number) s.function(REFRESH_HANDLER).get("ReservedConcurrentExecutions")).intValue());
        for (String handler : List.of(EXPORT_HANDLER, INGEST_HANDLER, COHORT_API_HANDLER)) {
            assertFalse(s.function(handler).containsKey("ReservedConcurrentExecutions"), handler);
        }
    }

    @Test
    void everyLogGroupKeepsThirtyDaysAndEachFunctionWritesOnlyItsOwn() {
        s.template.resourceCountIs("AWS::Logs::LogGroup", 5); // four functions, API access logs
        s.ofType("AWS::Logs::LogGroup").forEach((id, g) ->
                assertEquals(30, ((Number) props(g).get("RetentionInDays")).intValue(), id));
        for (String handler : HANDLERS) {
            Object logGroup = map(s.function(handler).get("LoggingConfig")).get("LogGroup");
            String logGroupId = (String) map(logGroup).get("Ref");
            Object arn = Map.of("Fn::GetAtt", List.of(logGroupId, "Arn"));
            assertEquals(List.of(arn), s.resourcesOf(handler, "logs:CreateLogStream"), handler);
            assertEquals(List.of(arn), s.resourcesOf(handler, "logs:PutLogEvents"), handler);
        }
    }

    @Test
    void everyFunctionHasALiveAliasOnItsPublishedVersion() {
        s.template.resourceCountIs("AWS::Lambda::Alias", 4);
        s.template.resourceCountIs("AWS::Lambda::Version", 4);
        for (String handler : HANDLERS) {
            String fnId = s.functionId(handler);
            var aliases = s.ofType("AWS::Lambda::Alias").values().stream()
                    .map(Synthesized::props)
                    .filter(a -> Map.of("Ref", fnId).equals(a.get("FunctionName")))
                    .toList();
            assertEquals(1, aliases.size(), handler);
            Map<String, Object> alias = aliases.get(0);
            assertEquals("live", alias.get("Name"));
            String versionId = (String) ((List<?>) map(alias.get("FunctionVersion")).get("Fn::GetAtt")).get(0);
            Map<String, Object> version = map(s.resources.get(versionId));
            assertEquals("AWS::Lambda::Version", version.get("Type"));
            assertEquals(Map.of("Ref", fnId), props(version).get("FunctionName"));
        }
    }

    @Test
    void environmentVariablesAreExactlyTheDocumentedOnes() {
        assertEquals(Set.of("MIXPANEL_REGION", "MIXPANEL_SECRET_ID", "REJECTS_QUEUE_URL", "EXPORT_EVENT_TYPES",
                        "IDENTITY_MODE", "EXPORT_ANONYMOUS", "MIXPANEL_CONCURRENCY", "EXPORT_MAX_RECEIVES",
                        "EXPORT_QUEUE_RETENTION_SECONDS", "JAVA_TOOL_OPTIONS", "FORWARD_DELETIONS", "TABLE_NAME"),
                s.environment(EXPORT_HANDLER).keySet());
        assertEquals(Set.of("EXPORT_QUEUE_URL", "CURRENTS_TOKEN_SECRET_ID", "JAVA_TOOL_OPTIONS"),
                s.environment(INGEST_HANDLER).keySet());
        assertEquals(Set.of("TABLE_NAME", "MEMBER_ID_FIELD", "DEFAULT_SYNC_MODE", "JAVA_TOOL_OPTIONS"),
                s.environment(COHORT_API_HANDLER).keySet());
        assertEquals(Set.of("TABLE_NAME", "BRAZE_REST_ENDPOINT", "BRAZE_API_KEY_SECRET_ID", "COHORT_ATTRIBUTE",
                        "COHORT_VALUE", "STALE_AFTER_INTERVALS", "REFRESH_INTERVAL_MINUTES", "BRAZE_OBJECTS_PER_REQUEST",
                        "COHORT_ARRAY_MAX", "MASS_REMOVAL_MAX_PERCENT", "MASS_REMOVAL_MIN_MEMBERS", "JAVA_TOOL_OPTIONS"),
                s.environment(REFRESH_HANDLER).keySet());

        var export = s.environment(EXPORT_HANDLER);
        assertEquals("US", export.get("MIXPANEL_REGION"));
        assertEquals("default", export.get("EXPORT_EVENT_TYPES"));
        assertEquals("distinct_id", export.get("IDENTITY_MODE"));
        assertEquals("false", export.get("EXPORT_ANONYMOUS"));
        assertEquals(ref("AWS::SQS::Queue", "RejectsQueue"), export.get("REJECTS_QUEUE_URL"));
        assertEquals(ref("AWS::SQS::Queue", "ExportQueue"), s.environment(INGEST_HANDLER).get("EXPORT_QUEUE_URL"));
        Object table = ref("AWS::DynamoDB::Table", "CohortTable");
        assertEquals(table, s.environment(COHORT_API_HANDLER).get("TABLE_NAME"));
        assertEquals("mixpanel_distinct_id", s.environment(COHORT_API_HANDLER).get("MEMBER_ID_FIELD"));
        assertEquals("dynamic", s.environment(COHORT_API_HANDLER).get("DEFAULT_SYNC_MODE"));
        var refresh = s.environment(REFRESH_HANDLER);
        assertEquals(table, refresh.get("TABLE_NAME"));
        assertEquals("https://rest.iad-01.braze.com", refresh.get("BRAZE_REST_ENDPOINT"));
        assertEquals("Mixpanel_Cohorts", refresh.get("COHORT_ATTRIBUTE"));
        assertEquals("name", refresh.get("COHORT_VALUE"));
        assertEquals("15", refresh.get("REFRESH_INTERVAL_MINUTES"));
        assertEquals("75", refresh.get("BRAZE_OBJECTS_PER_REQUEST"));
        assertEquals("25", refresh.get("COHORT_ARRAY_MAX"));
        assertEquals("50", refresh.get("MASS_REMOVAL_MAX_PERCENT"));
        assertEquals("100", refresh.get("MASS_REMOVAL_MIN_MEMBERS"));
    }

    @Test
    void secretEnvironmentVariablesNameSecretsAndNeverHoldValues() {
        assertEquals(ref("AWS::SecretsManager::Secret", "MixpanelSecret"),
                s.environment(EXPORT_HANDLER).get("MIXPANEL_SECRET_ID"));
        assertEquals(ref("AWS::SecretsManager::Secret", "CurrentsTokenSecret"),
                s.environment(INGEST_HANDLER).get("CURRENTS_TOKEN_SECRET_ID"));
        assertEquals(ref("AWS::SecretsManager::Secret", "BrazeApiKeySecret"),
                s.environment(REFRESH_HANDLER).get("BRAZE_API_KEY_SECRET_ID"));
        for (String handler : HANDLERS) {
            String env = s.environment(handler).toString();
            assertFalse(env.contains("resolve:secretsmanager"), handler + " resolves a secret into its env: " + env);
            assertFalse(env.contains("SecretString"), handler);
            // No value of any environment variable is derived from a secret other than by its ARN (Ref).
            s.environment(handler).values().stream().filter(v -> !(v instanceof String)).forEach(v ->
                    assertTrue(map(v).containsKey("Ref"), handler + ": " + v));
        }
        // Created secrets hold a generated placeholder, never a value written into the template.
        s.template.resourceCountIs("AWS::SecretsManager::Secret", 3);
        s.ofType("AWS::SecretsManager::Secret").forEach((id, secret) -> {
            assertFalse(props(secret).containsKey("SecretString"), id);
            assertTrue(props(secret).containsKey("GenerateSecretString"), id);
            assertEquals("Retain", secret.get("DeletionPolicy"), id);
        });
    }

    // ---------------------------------------------------------------- least privilege

    @Test
    void exportFunctionIsGrantedExactlyItsActions() {
        Set<String> expected = new TreeSet<>();
        expected.addAll(QUEUE_CONSUME);
        expected.addAll(QUEUE_SEND);
        expected.addAll(SECRET_READ);
        expected.addAll(LOG_WRITE);
        expected.add("s3:GetObject");
        assertEquals(expected, s.actions(EXPORT_HANDLER));

        assertEquals(List.of(getAtt("AWS::SQS::Queue", "RejectsQueue", "Arn")),
                s.resourcesOf(EXPORT_HANDLER, "sqs:SendMessage"), "sends only to the rejects queue");
        assertEquals(List.of(getAtt("AWS::SQS::Queue", "ExportQueue", "Arn")),
                s.resourcesOf(EXPORT_HANDLER, "sqs:ReceiveMessage"));
        assertEquals(List.of(ref("AWS::SecretsManager::Secret", "MixpanelSecret")),
                s.resourcesOf(EXPORT_HANDLER, "secretsmanager:GetSecretValue"));
        assertEquals(List.of(Map.of("Fn::Join", List.of("", List.of(
                        getAtt("AWS::S3::Bucket", "CurrentsBucket", "Arn"), "/currents/*")))),
                s.resourcesOf(EXPORT_HANDLER, "s3:GetObject"));
    }

    @Test
    void ingestFunctionIsGrantedExactlyItsActions() {
        Set<String> expected = new TreeSet<>(QUEUE_SEND);
        expected.addAll(SECRET_READ);
        expected.addAll(LOG_WRITE);
        assertEquals(expected, s.actions(INGEST_HANDLER));
        assertEquals(List.of(getAtt("AWS::SQS::Queue", "ExportQueue", "Arn")),
                s.resourcesOf(INGEST_HANDLER, "sqs:SendMessage"));
        assertEquals(List.of(ref("AWS::SecretsManager::Secret", "CurrentsTokenSecret")),
                s.resourcesOf(INGEST_HANDLER, "secretsmanager:GetSecretValue"));
    }

    @Test
    void cohortApiFunctionIsGrantedExactlyItsActions() {
        Set<String> expected = new TreeSet<>(COHORT_API_TABLE);
        expected.addAll(LOG_WRITE);
        assertEquals(expected, s.actions(COHORT_API_HANDLER));
        assertEquals(List.of(getAtt("AWS::DynamoDB::Table", "CohortTable", "Arn")),
                s.resourcesOf(COHORT_API_HANDLER, "dynamodb:PutItem"));
    }

    @Test
    void refreshFunctionIsGrantedExactlyItsActions() {
        Set<String> expected = new TreeSet<>(REFRESH_TABLE);
        expected.addAll(SECRET_READ);
        expected.addAll(LOG_WRITE);
        assertEquals(expected, s.actions(REFRESH_HANDLER));
        assertEquals(List.of(getAtt("AWS::DynamoDB::Table", "CohortTable", "Arn")),
                s.resourcesOf(REFRESH_HANDLER, "dynamodb:BatchWriteItem"));
        assertEquals(List.of(ref("AWS::SecretsManager::Secret", "BrazeApiKeySecret")),
                s.resourcesOf(REFRESH_HANDLER, "secretsmanager:GetSecretValue"));
    }

    @Test
    void functionRolesUseNoWildcardActionsNoResourceStarAndNoManagedPolicy() {
        for (String handler : HANDLERS) {
            for (Map<String, Object> statement : s.statements(handler)) {
                assertEquals("Allow", statement.get("Effect"));
                Synthesized.strings(statement.get("Action")).forEach(a ->
                        assertFalse(a.contains("*"), handler + " action " + a));
                Object resource = statement.get("Resource");
                (resource instanceof List<?> l ? l : List.of(resource)).forEach(r ->
                        assertFalse("*".equals(r), handler + " has Resource *"));
            }
            // Logging is granted inline on the function's own log group (see above), not by a managed policy.
            Map<String, Object> role = props(map(s.resources.get(s.roleId(handler))));
            assertFalse(role.containsKey("ManagedPolicyArns"), handler + ": " + role.get("ManagedPolicyArns"));
        }
    }

    // ---------------------------------------------------------------- queues

    @Test
    void exportQueueFeedsTheExportAliasWithPartialBatchFailures() {
        s.template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
        s.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "EventSourceArn", getAtt("AWS::SQS::Queue", "ExportQueue", "Arn"),
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "BatchSize", 10,
                "MaximumBatchingWindowInSeconds", 5));
        var mapping = props(s.ofType("AWS::Lambda::EventSourceMapping").values().iterator().next());
        String target = mapping.get("FunctionName").toString();
        assertTrue(target.contains(s.idOf("AWS::Lambda::Alias", "ExportFunctionAliaslive")) && target.contains(":live"),
                "the mapping invokes the alias: " + target);
    }

    @Test
    void exportQueueHasVisibilityOfSixTimesTheTimeoutAndARedrivePolicy() {
        var queue = props(map(s.resources.get(s.idOf("AWS::SQS::Queue", "ExportQueue"))));
        int timeout = ((Number) s.function(EXPORT_HANDLER).get("Timeout")).intValue();
        int visibility = ((Number) queue.get("VisibilityTimeout")).intValue();
        assertTrue(visibility >= 6 * timeout, visibility + " < 6 x " + timeout);
        var redrive = map(queue.get("RedrivePolicy"));
        // Was 5 (720 s x 5 = one hour of Mixpanel outage before the DLQ); now the retry budget's 16 (issue 12).
        assertEquals(CurrentsBridgeStack.MAX_RECEIVE_COUNT, ((Number) redrive.get("maxReceiveCount")).intValue());
        assertEquals(16, ((Number) redrive.get("maxReceiveCount")).intValue());
        assertEquals(getAtt("AWS::SQS::Queue", "ExportDeadLetterQueue", "Arn"), redrive.get("deadLetterTargetArn"));
    }

    @Test
    void theRetryBudgetOutlastsSeventyTwoHoursAndTheFunctionKnowsIt() {
        var queue = props(map(s.resources.get(s.idOf("AWS::SQS::Queue", "ExportQueue"))));
        int maxReceives = ((Number) map(queue.get("RedrivePolicy")).get("maxReceiveCount")).intValue();
        assertEquals(Integer.toString(maxReceives), s.environment(EXPORT_HANDLER).get("EXPORT_MAX_RECEIVES"),
                "the function gives up on the receive the redrive policy would dead-letter");
        int retention = ((Number) queue.get("MessageRetentionPeriod")).intValue();
        assertEquals(14 * 24 * 3600, retention, "SQS's maximum retention");
        assertEquals(Integer.toString(retention), s.environment(EXPORT_HANDLER).get("EXPORT_QUEUE_RETENTION_SECONDS"),
                "the function guards the retention the queue has");
        var budget = dev.currentsbridge.export.domain.redelivery.RetryBudget.of(maxReceives);
        for (var cause : dev.currentsbridge.export.domain.redelivery.RetryCause.values()) {
            assertTrue(budget.span(cause).compareTo(java.time.Duration.ofHours(72)) > 0, cause.name());
            assertTrue(budget.span(cause).plusDays(7).toSeconds() < retention, cause + ": a week of backlog fits");
        }
    }

    @Test
    void exportConcurrencyIsCappedForMixpanelsRecommendedClients() {
        var mapping = props(s.ofType("AWS::Lambda::EventSourceMapping").values().iterator().next());
        int cap = ((Number) map(mapping.get("ScalingConfig")).get("MaximumConcurrency")).intValue();
        int perInvocation = Integer.parseInt(String.valueOf(s.environment(EXPORT_HANDLER).get("MIXPANEL_CONCURRENCY")));
        assertEquals(5, cap);
        assertTrue(cap * perInvocation <= 20, "at most 20 /import requests in flight: " + cap + " x " + perInvocation);
        assertTrue(cap * perInvocation >= 10, "and at least the 10 Mixpanel suggests");
    }

    @Test
    void everyQueueIsEncryptedAndRejectsAreKeptFourteenDays() {
        s.template.resourceCountIs("AWS::SQS::Queue", 3);
        s.ofType("AWS::SQS::Queue").forEach((id, q) ->
                assertEquals(Boolean.TRUE, props(q).get("SqsManagedSseEnabled"), id));
        var rejects = props(map(s.resources.get(s.idOf("AWS::SQS::Queue", "RejectsQueue"))));
        assertEquals(14 * 24 * 3600, ((Number) rejects.get("MessageRetentionPeriod")).intValue());
    }

    @Test
    void queuesBucketAndTopicRefuseEveryRequestWithoutTls() {
        for (String queue : List.of("ExportQueue", "ExportDeadLetterQueue", "RejectsQueue")) {
            Object ref = ref("AWS::SQS::Queue", queue);
            assertTrue(s.ofType("AWS::SQS::QueuePolicy").values().stream().map(Synthesized::props)
                    .filter(p -> ((List<?>) p.get("Queues")).contains(ref))
                    .anyMatch(p -> Synthesized.deniesInsecureTransport(p.get("PolicyDocument"), "sqs:*")), queue);
        }
        Object bucket = ref("AWS::S3::Bucket", "CurrentsBucket");
        assertTrue(s.ofType("AWS::S3::BucketPolicy").values().stream().map(Synthesized::props)
                .filter(p -> bucket.equals(p.get("Bucket")))
                .anyMatch(p -> Synthesized.deniesInsecureTransport(p.get("PolicyDocument"), "s3:*")));
        Object topic = ref("AWS::SNS::Topic", "AlarmTopic");
        assertTrue(s.ofType("AWS::SNS::TopicPolicy").values().stream().map(Synthesized::props)
                .filter(p -> ((List<?>) p.get("Topics")).contains(topic))
                .anyMatch(p -> Synthesized.deniesInsecureTransport(p.get("PolicyDocument"), "sns:Publish")));
    }

    @Test
    void onlyTheCurrentsBucketMaySendToTheExportQueue() {
        List<Map<String, Object>> s3Statements = s3Statements(s);
        assertEquals(1, s3Statements.size(), s3Statements.toString());
        assertEquals(Map.of("ArnLike", Map.of("aws:SourceArn", getAtt("AWS::S3::Bucket", "CurrentsBucket", "Arn"))),
                s3Statements.get(0).get("Condition"));
        assertEquals(getAtt("AWS::SQS::Queue", "ExportQueue", "Arn"), s3Statements.get(0).get("Resource"));
    }

    /** The statements of every queue policy that let S3 in. */
    static List<Map<String, Object>> s3Statements(Synthesized t) {
        return t.ofType("AWS::SQS::QueuePolicy").values().stream().map(Synthesized::props)
                .flatMap(p -> ((List<?>) map(p.get("PolicyDocument")).get("Statement")).stream().map(Synthesized::map))
                .filter(st -> Map.of("Service", "s3.amazonaws.com").equals(st.get("Principal")))
                .toList();
    }

    // ---------------------------------------------------------------- table, bucket

    @Test
    void cohortTableIsOnDemandWithPitrTtlEncryptionAndRetained() {
        s.template.resourceCountIs("AWS::DynamoDB::Table", 1);
        s.template.hasResource("AWS::DynamoDB::Table", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Map.of(
                        "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH"),
                                Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                        "AttributeDefinitions", List.of(Map.of("AttributeName", "pk", "AttributeType", "S"),
                                Map.of("AttributeName", "sk", "AttributeType", "S")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "TimeToLiveSpecification", Map.of("AttributeName", "expires_at", "Enabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true),
                        "DeletionProtectionEnabled", true)));
    }

    @Test
    void newBucketIsPrivateAndNotifiesTheExportQueueForTheCurrentsPrefix() {
        s.template.resourceCountIs("AWS::S3::Bucket", 1);
        s.template.hasResource("AWS::S3::Bucket", Map.of("DeletionPolicy", "Retain", "Properties", Match.objectLike(
                Map.of("PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true)))));
        s.template.hasResourceProperties("Custom::S3BucketNotifications", Map.of(
                "BucketName", ref("AWS::S3::Bucket", "CurrentsBucket"),
                "NotificationConfiguration", Map.of("QueueConfigurations", List.of(Map.of(
                        "Events", List.of("s3:ObjectCreated:*"),
                        "QueueArn", getAtt("AWS::SQS::Queue", "ExportQueue", "Arn"),
                        "Filter", Map.of("Key", Map.of("FilterRules",
                                List.of(Map.of("Name", "prefix", "Value", "currents/")))))))));
        // S3 may send to the export queue (and only S3 from this bucket).
        String queuePolicies = s.ofType("AWS::SQS::QueuePolicy").values().toString();
        assertTrue(queuePolicies.contains("s3.amazonaws.com"), queuePolicies);
    }

    // ---------------------------------------------------------------- API, schedule

    @Test
    void httpApiRoutesGoToTheRightAliasWithDefaultThrottling() {
        Set<String> routeKeys = s.ofType("AWS::ApiGatewayV2::Route").values().stream()
                .map(r -> (String) props(r).get("RouteKey")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("POST /currents", "POST /mixpanel/webhook",
                "POST /partners/mixpanel/cohorts", "POST /partners/mixpanel/cohorts/users", "GET /cohorts",
                "GET /cohorts/{cohortId}", "PATCH /cohorts/{cohortId}", "GET /cohorts/{cohortId}/members", "POST /keys", "GET /keys", "DELETE /keys/{keyId}")), routeKeys);

        Object ingestAlias = ref("AWS::Lambda::Alias", "CurrentsIngestFunctionAliaslive");
        Object cohortAlias = ref("AWS::Lambda::Alias", "CohortApiFunctionAliaslive");
        s.ofType("AWS::ApiGatewayV2::Route").values().forEach(r -> {
            var route = props(r);
            String integrationId = route.get("Target").toString().replaceAll(".*Ref=([A-Za-z0-9]+).*", "$1");
            var integration = props(map(s.resources.get(integrationId)));
            assertEquals("AWS_PROXY", integration.get("IntegrationType"));
            assertEquals("2.0", integration.get("PayloadFormatVersion"));
            assertEquals(route.get("RouteKey").equals("POST /currents") ? ingestAlias : cohortAlias,
                    integration.get("IntegrationUri"), route.get("RouteKey").toString());
        });
        s.template.hasResourceProperties("AWS::ApiGatewayV2::Stage", Map.of(
                "StageName", "$default",
                "AutoDeploy", true,
                "DefaultRouteSettings", Map.of("ThrottlingRateLimit", 200, "ThrottlingBurstLimit", 400)));
        // API Gateway may invoke the aliases, never the unqualified functions.
        s.ofType("AWS::Lambda::Permission").values().stream().map(Synthesized::props)
                .filter(p -> "apigateway.amazonaws.com".equals(p.get("Principal")))
                .forEach(p -> assertTrue(p.get("FunctionName").equals(ingestAlias)
                        || p.get("FunctionName").equals(cohortAlias), p.toString()));
    }

    @Test
    void apiAccessLogsAreJsonWithoutCredentialsInARetainedLogGroup() throws Exception {
        var stage = props(s.ofType("AWS::ApiGatewayV2::Stage").values().iterator().next());
        var settings = map(stage.get("AccessLogSettings"));
        assertEquals(getAtt("AWS::Logs::LogGroup", "ApiAccessLogs", "Arn"), settings.get("DestinationArn"));
        String format = (String) settings.get("Format");
        var fields = new com.fasterxml.jackson.databind.ObjectMapper().readTree(format);
        assertTrue(fields.isObject(), format);
        for (String wanted : List.of("requestId", "ip", "routeKey", "status", "integrationError")) {
            assertTrue(fields.has(wanted), wanted + " missing from " + format);
        }
        // The Authorization header holds the bearer token or a data import key; no header or body is logged.
        assertFalse(format.toLowerCase(java.util.Locale.ROOT).contains("authorization"), format);
        assertFalse(format.contains("$context.request.header") || format.contains("$input"), format);
    }

    @Test
    void refreshRunsEveryFifteenMinutesOnItsAlias() {
        s.template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(15 minutes)",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", ref("AWS::Lambda::Alias", "CohortRefreshFunctionAliaslive"))))));
    }

    // ---------------------------------------------------------------- alarms, outputs

    @Test
    void alarmsCoverQueuesStalledExportBrazeRejectsAndEachFunctionsErrorsAndThrottles() {
        s.template.resourceCountIs("AWS::CloudWatch::Alarm", 8 + 2 * HANDLERS.size());
        // Messages given up on their last receive: any is data to replay.
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "CurrentsBridge", "MetricName", "MessagesExhausted", "Statistic", "Sum", "Period", 300,
                "EvaluationPeriods", 1, "Threshold", 0,
                "Dimensions", List.of(Map.of("Name", "Function", "Value", "export"))));
        Object topic = ref("AWS::SNS::Topic", "AlarmTopic");
        s.ofType("AWS::CloudWatch::Alarm").forEach((id, a) -> {
            var alarm = props(a);
            assertEquals(List.of(topic), alarm.get("AlarmActions"), id);
            assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"), id);
            assertEquals("notBreaching", alarm.get("TreatMissingData"), id);
            int threshold = ((Number) alarm.get("Threshold")).intValue();
            assertEquals(id.startsWith("ExportQueueAgeAlarm") ? 3600 : 0, threshold, id);
        });
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/SQS", "MetricName", "ApproximateAgeOfOldestMessage", "Statistic", "Maximum",
                "Threshold", 3600,
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", getAtt("AWS::SQS::Queue", "ExportQueue", "QueueName")))));
        // Sustained: three 5-minute periods in a row with events returned for retry.
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "CurrentsBridge", "MetricName", "EventsReturned", "Statistic", "Sum", "Period", 300,
                "EvaluationPeriods", 3, "DatapointsToAlarm", 3,
                "Dimensions", List.of(Map.of("Name", "Function", "Value", "export"))));
        s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "CurrentsBridge", "MetricName", "BrazeRejectedChanges", "Statistic", "Sum",
                "Dimensions", List.of(Map.of("Name", "Function", "Value", "cohort_refresh"))));
        for (String queue : List.of("ExportDeadLetterQueue", "RejectsQueue")) {
            s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                    "Namespace", "AWS/SQS",
                    "MetricName", "ApproximateNumberOfMessagesVisible",
                    "Dimensions", List.of(Map.of("Name", "QueueName",
                            "Value", getAtt("AWS::SQS::Queue", queue, "QueueName")))));
        }
        for (String handler : HANDLERS) {
            for (String metric : List.of("Errors", "Throttles")) {
                s.template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                        "Namespace", "AWS/Lambda",
                        "MetricName", metric,
                        "Statistic", "Sum",
                        "Dimensions", List.of(Map.of("Name", "FunctionName",
                                "Value", Map.of("Ref", s.functionId(handler))))));
            }
        }
        s.template.resourceCountIs("AWS::SNS::Subscription", 0);
    }

    @Test
    void oneDashboardNamesEveryQueueAndFunctionOfTheStack() {
        s.template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
        var dashboard = props(s.ofType("AWS::CloudWatch::Dashboard").values().iterator().next());
        List<?> sub = (List<?>) map(dashboard.get("DashboardBody")).get("Fn::Sub");
        assertEquals(Observability.dashboardBody(), sub.get(0));
        var variables = map(sub.get(1));
        for (String queue : List.of("ExportQueue", "ExportDeadLetterQueue", "RejectsQueue")) {
            assertEquals(getAtt("AWS::SQS::Queue", queue, "QueueName"), variables.get(queue + "Name"), queue);
        }
        for (String handler : HANDLERS) {
            String fnId = s.functionId(handler);
            String variable = fnId.replaceAll("[0-9A-F]{8}$", "") + "Name";
            assertEquals(Map.of("Ref", fnId), variables.get(variable), variable);
        }
        assertEquals(7, variables.size(), variables.toString());
    }

    @Test
    void outputsNameEverythingAUserNeeds() {
        assertEquals(Set.of("ApiUrl", "ExportQueueUrl", "ExportDeadLetterQueueUrl", "RejectsQueueUrl",
                        "CurrentsBucketName", "CohortTableName", "MixpanelSecretArn", "BrazeApiKeySecretArn",
                        "CurrentsTokenSecretArn", "AlarmTopicArn", "DashboardName"),
                new TreeSet<>(s.outputs.keySet()));
    }

    private static Object ref(String type, String constructId) {
        return Map.of("Ref", s.idOf(type, constructId));
    }

    private static Object getAtt(String type, String constructId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(s.idOf(type, constructId), attribute));
    }
}
