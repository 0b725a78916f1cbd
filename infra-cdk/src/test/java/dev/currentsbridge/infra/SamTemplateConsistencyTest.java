package dev.currentsbridge.infra;

import static dev.currentsbridge.infra.CurrentsBridgeStack.EXPORT_HANDLER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SAM template ({@code template.yaml}) and the CDK stack describe the same deployment: same handlers,
 * runtime, sizing, reserved concurrency, environment variable names, routes, triggers, granted actions (own roles,
 * no managed policies), log retention, TLS-only resource policies, the S3 source of the export queue, table
 * deletion protection, access log format, dashboard and alarms. Read with a plain YAML parser.
 */
class SamTemplateConsistencyTest {

    private static final Pattern SHORT_FORM_TAG = Pattern.compile("(:|-)\\s+!(Ref|Sub|GetAtt|If|Join|Select|Split"
            + "|Equals|Not|Or|And|Condition|FindInMap|Base64|ImportValue|GetAZs|Cidr)\\b");

    private static Synthesized cdk;
    private static JsonNode sam;
    private static String samText;

    @BeforeAll
    static void load() throws Exception {
        Path template = locate("template.yaml");
        samText = Files.readString(template);
        sam = new ObjectMapper(new YAMLFactory()).readTree(samText);
        cdk = Synthesized.defaults();
    }

    @Test
    void templateUsesNoShortFormTags() {
        assertTrue(SHORT_FORM_TAG.matcher(samText).results().findAny().isEmpty(),
                "short-form CloudFormation tags need a custom YAML constructor");
        assertEquals("AWS::Serverless-2016-10-31", sam.path("Transform").asText());
    }

    @Test
    void sameHandlersSizingAndRuntime() {
        Map<String, JsonNode> functions = samFunctions();
        assertEquals(4, functions.size());
        JsonNode globals = sam.path("Globals").path("Function");
        assertEquals(cdk.function(EXPORT_HANDLER).get("Runtime"), globals.path("Runtime").asText());
        assertEquals("java25", globals.path("Runtime").asText());
        assertEquals("arm64", globals.path("Architectures").get(0).asText());
        assertEquals("PublishedVersions", globals.path("SnapStart").path("ApplyOn").asText());
        assertEquals("live", globals.path("AutoPublishAlias").asText());
        assertEquals(CurrentsBridgeProps.JAR_FROM_ROOT, globals.path("CodeUri").asText());
        String samJvmFlags = globals.path("Environment").path("Variables").path("JAVA_TOOL_OPTIONS").asText();
        assertTrue(samJvmFlags.contains("--enable-native-access=ALL-UNNAMED"), samJvmFlags);
        for (JsonNode fn : functions.values()) {
            String handler = fn.path("Handler").asText();
            Map<String, Object> cdkFn = cdk.function(handler);
            assertEquals(samJvmFlags, cdk.environment(handler).get("JAVA_TOOL_OPTIONS"), handler);
            assertEquals(((Number) cdkFn.get("MemorySize")).intValue(), fn.path("MemorySize").asInt(), handler);
            assertEquals(((Number) cdkFn.get("Timeout")).intValue(), fn.path("Timeout").asInt(), handler);
            // Reserved concurrency: 1 for the refresh in both, none elsewhere; the export's optional one is the
            // ExportReservedConcurrency parameter (default 0: none) in SAM, the context key in CDK (default unset).
            JsonNode reserved = fn.path("ReservedConcurrentExecutions");
            if (handler.equals(EXPORT_HANDLER)) {
                assertEquals("HasExportReservedConcurrency", reserved.path("Fn::If").get(0).asText());
                assertEquals("ExportReservedConcurrency", reserved.path("Fn::If").get(1).path("Ref").asText());
                assertEquals("AWS::NoValue", reserved.path("Fn::If").get(2).path("Ref").asText());
                assertEquals(0, sam.path("Parameters").path("ExportReservedConcurrency").path("Default").asInt());
                assertEquals("null", String.valueOf(cdkFn.get("ReservedConcurrentExecutions")));
                continue;
            }
            assertEquals(String.valueOf(cdkFn.get("ReservedConcurrentExecutions")),
                    fn.has("ReservedConcurrentExecutions") ? reserved.asText() : "null", handler);
        }
        assertEquals(1, samFunctions().get("CohortRefreshFunction").path("ReservedConcurrentExecutions").asInt());
    }

    @Test
    void sameEnvironmentVariableNames() {
        Set<String> globalNames = names(sam.path("Globals").path("Function").path("Environment").path("Variables"));
        for (JsonNode fn : samFunctions().values()) {
            String handler = fn.path("Handler").asText();
            Set<String> samNames = new TreeSet<>(globalNames);
            samNames.addAll(names(fn.path("Environment").path("Variables")));
            Set<String> cdkNames = new TreeSet<>(cdk.environment(handler).keySet());
            if (handler.equals(EXPORT_HANDLER)) {
                // Optional in both: set by CDK only when configured, by SAM through Fn::If.
                cdkNames.add("EXPORT_EVENT_NAMES");
            }
            assertEquals(cdkNames, samNames, handler);
        }
    }

    @Test
    void sameIdentitySettingsWithTheSameDefaultsAndTheSameRefusal() {
        JsonNode parameters = sam.path("Parameters");
        var defaults = CurrentsBridgeProps.fromContext(key -> null);
        assertEquals(defaults.identityMode(), parameters.path("IdentityMode").path("Default").asText());
        assertEquals(List.of("distinct_id", "simplified"), texts(parameters.path("IdentityMode").path("AllowedValues")));
        assertEquals(Boolean.toString(defaults.exportAnonymous()), parameters.path("ExportAnonymous").path("Default").asText());
        assertEquals(List.of("false", "true"), texts(parameters.path("ExportAnonymous").path("AllowedValues")));
        JsonNode env = samFunctions().get("ExportFunction").path("Environment").path("Variables");
        assertEquals("IdentityMode", env.path("IDENTITY_MODE").path("Ref").asText());
        assertEquals("ExportAnonymous", env.path("EXPORT_ANONYMOUS").path("Ref").asText());
        // CDK refuses exportAnonymous without simplified at synth; SAM at deploy through a template rule.
        JsonNode rule = sam.path("Rules").path("ExportAnonymousNeedsSimplifiedIdentity");
        assertEquals("ExportAnonymous", rule.path("RuleCondition").path("Fn::Equals").get(0).path("Ref").asText());
        JsonNode assertion = rule.path("Assertions").get(0).path("Assert").path("Fn::Equals");
        assertEquals("IdentityMode", assertion.get(0).path("Ref").asText());
        assertEquals("simplified", assertion.get(1).asText());
    }

    @Test
    void sameDeletionForwardingGrantAndSetting() {
        JsonNode parameter = sam.path("Parameters").path("ForwardDeletions");
        assertEquals(Boolean.toString(CurrentsBridgeProps.fromContext(key -> null).forwardDeletions()),
                parameter.path("Default").asText());
        assertEquals(List.of("false", "true"), texts(parameter.path("AllowedValues")));
        JsonNode env = samFunctions().get("ExportFunction").path("Environment").path("Variables");
        assertEquals("ForwardDeletions", env.path("FORWARD_DELETIONS").path("Ref").asText());
        assertEquals("CohortTable", env.path("TABLE_NAME").path("Ref").asText());
        JsonNode role = samRole(samFunctions().get("ExportFunction"));
        JsonNode samGrant = samStatements(role).stream()
                .filter(st -> "ForwardDeletionsOn".equals(conditionOf(role, st))).findFirst().orElseThrow();
        Synthesized on = Synthesized.synth(CurrentsBridgeProps.builder().forwardDeletions(true));
        Map<String, Object> cdkGrant = on.statements(EXPORT_HANDLER).stream()
                .filter(st -> Synthesized.strings(st.get("Action")).contains("dynamodb:GetItem")).findFirst()
                .orElseThrow();
        assertEquals(new TreeSet<>(strings(samGrant.path("Action"))),
                new TreeSet<>(Synthesized.strings(cdkGrant.get("Action"))));
        assertEquals(Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
                new TreeSet<>(strings(samGrant.path("Action"))));
        assertEquals(samGrant.path("Condition").toString(), new ObjectMapper().valueToTree(cdkGrant.get("Condition"))
                .toString());
        assertTrue(cdk.statements(EXPORT_HANDLER).stream()
                        .noneMatch(st -> Synthesized.strings(st.get("Action")).contains("dynamodb:GetItem")),
                "off by default: no table access for the export function");
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void sameRoutesAndTriggers() {
        Set<String> samRoutes = new TreeSet<>();
        samFunctions().values().forEach(fn -> fn.path("Events").forEach(e -> {
            if (e.path("Type").asText().equals("HttpApi")) {
                samRoutes.add(e.path("Properties").path("Method").asText() + " "
                        + e.path("Properties").path("Path").asText());
            }
        }));
        Set<String> cdkRoutes = new TreeSet<>();
        cdk.ofType("AWS::ApiGatewayV2::Route").values()
                .forEach(r -> cdkRoutes.add((String) Synthesized.props(r).get("RouteKey")));
        assertEquals(cdkRoutes, samRoutes);

        JsonNode sqsEvent = samFunctions().get("ExportFunction").path("Events").path("ExportQueue");
        assertEquals("SQS", sqsEvent.path("Type").asText());
        var mapping = Synthesized.props(cdk.ofType("AWS::Lambda::EventSourceMapping").values().iterator().next());
        assertEquals(((Number) mapping.get("BatchSize")).intValue(), sqsEvent.path("Properties").path("BatchSize").asInt());
        assertEquals(((Number) mapping.get("MaximumBatchingWindowInSeconds")).intValue(),
                sqsEvent.path("Properties").path("MaximumBatchingWindowInSeconds").asInt());
        assertEquals(mapping.get("FunctionResponseTypes"),
                List.of(sqsEvent.path("Properties").path("FunctionResponseTypes").get(0).asText()));
        // The concurrency cap: SAM's parameter (its default) is CDK's default.
        assertEquals("ExportMaxConcurrency",
                sqsEvent.path("Properties").path("ScalingConfig").path("MaximumConcurrency").path("Ref").asText());
        assertEquals(((Number) Synthesized.map(mapping.get("ScalingConfig")).get("MaximumConcurrency")).intValue(),
                sam.path("Parameters").path("ExportMaxConcurrency").path("Default").asInt());
        assertEquals(2, sam.path("Parameters").path("ExportMaxConcurrency").path("MinValue").asInt());

        JsonNode schedule = samFunctions().get("CohortRefreshFunction").path("Events").path("Refresh");
        var rule = Synthesized.props(cdk.ofType("AWS::Events::Rule").values().iterator().next());
        assertEquals(rule.get("ScheduleExpression"), schedule.path("Properties").path("Schedule").asText());
    }

    @Test
    void sameQueueAndTableSettings() {
        JsonNode queue = sam.path("Resources").path("ExportQueue").path("Properties");
        var cdkQueue = Synthesized.props(Synthesized.map(cdk.resources.get(cdk.idOf("AWS::SQS::Queue", "ExportQueue"))));
        assertEquals(((Number) cdkQueue.get("VisibilityTimeout")).intValue(), queue.path("VisibilityTimeout").asInt());
        assertEquals(((Number) Synthesized.map(cdkQueue.get("RedrivePolicy")).get("maxReceiveCount")).intValue(),
                queue.path("RedrivePolicy").path("maxReceiveCount").asInt());
        assertEquals(((Number) cdkQueue.get("MessageRetentionPeriod")).intValue(),
                queue.path("MessageRetentionPeriod").asInt());
        // The function gives up on the receive the redrive policy would dead-letter, in both.
        assertEquals(queue.path("RedrivePolicy").path("maxReceiveCount").asText(), samFunctions().get("ExportFunction")
                .path("Environment").path("Variables").path("EXPORT_MAX_RECEIVES").asText());
        assertEquals(cdk.environment(EXPORT_HANDLER).get("EXPORT_MAX_RECEIVES"), samFunctions().get("ExportFunction")
                .path("Environment").path("Variables").path("EXPORT_MAX_RECEIVES").asText());
        // The function guards the retention the queue has, in both.
        assertEquals(queue.path("MessageRetentionPeriod").asText(), samFunctions().get("ExportFunction")
                .path("Environment").path("Variables").path("EXPORT_QUEUE_RETENTION_SECONDS").asText());
        assertEquals(cdk.environment(EXPORT_HANDLER).get("EXPORT_QUEUE_RETENTION_SECONDS"), samFunctions()
                .get("ExportFunction").path("Environment").path("Variables").path("EXPORT_QUEUE_RETENTION_SECONDS").asText());
        for (String q : List.of("ExportQueue", "ExportDeadLetterQueue", "RejectsQueue")) {
            assertTrue(sam.path("Resources").path(q).path("Properties").path("SqsManagedSseEnabled").asBoolean(), q);
        }
        JsonNode table = sam.path("Resources").path("CohortTable");
        assertEquals("Retain", table.path("DeletionPolicy").asText());
        assertEquals("expires_at", table.path("Properties").path("TimeToLiveSpecification").path("AttributeName").asText());
        assertTrue(table.path("Properties").path("PointInTimeRecoverySpecification")
                .path("PointInTimeRecoveryEnabled").asBoolean());
        assertEquals("PAY_PER_REQUEST", table.path("Properties").path("BillingMode").asText());
    }

    @Test
    void sameGrantedActionsThroughOwnRolesWithoutManagedPolicies() {
        for (Map.Entry<String, JsonNode> e : samFunctions().entrySet()) {
            JsonNode fn = e.getValue();
            String handler = fn.path("Handler").asText();
            assertTrue(fn.path("Policies").isMissingNode(), handler + ": SAM would add its managed policies");
            JsonNode role = samRole(fn);
            assertTrue(role.path("ManagedPolicyArns").isMissingNode(), handler);
            Set<String> samActions = new TreeSet<>();
            // The CDK stack under comparison has the default settings: no SSE-KMS key (compared below).
            // nor deletion forwarding (compared in sameDeletionForwardingGrantAndSetting).
            samStatements(role).stream().filter(st -> !"HasBucketKmsKey".equals(conditionOf(role, st))
                            && !"ForwardDeletionsOn".equals(conditionOf(role, st)))
                    .forEach(st -> strings(st.path("Action")).forEach(samActions::add));
            assertEquals(new TreeSet<>(cdk.actions(handler)), samActions, handler);
            assertTrue(samActions.stream().noneMatch(a -> a.contains("*")), handler);
            // Logs only into the function's own log group.
            assertEquals(Set.of(e.getKey() + "Logs"), samStatements(role).stream()
                    .filter(st -> strings(st.path("Action")).contains("logs:PutLogEvents"))
                    .map(st -> st.path("Resource").path("Fn::GetAtt").get(0).asText()).collect(Collectors.toSet()));
        }
        // Neither cohort role has the other's write: no BatchWriteItem for the API, no PutItem for the refresh.
        Set<String> api = new TreeSet<>();
        samStatements(samRole(samFunctions().get("CohortApiFunction")))
                .forEach(st -> strings(st.path("Action")).forEach(api::add));
        assertFalse(api.contains("dynamodb:BatchWriteItem"), api.toString());
    }

    @Test
    void sseKmsBucketKeyIsDecryptableThroughS3OnlyInBoth() {
        JsonNode decrypt = samStatements(samRole(samFunctions().get("ExportFunction"))).stream()
                .filter(st -> strings(st.path("Action")).contains("kms:Decrypt")).findFirst().orElseThrow();
        assertEquals("{\"Ref\":\"CurrentsBucketKmsKeyArn\"}", decrypt.path("Resource").toString());
        assertEquals("s3.${AWS::Region}.amazonaws.com",
                decrypt.path("Condition").path("StringEquals").path("kms:ViaService").path("Fn::Sub").asText());
        assertEquals("HasBucketKmsKey", conditionOf(samRole(samFunctions().get("ExportFunction")), decrypt));
        JsonNode condition = sam.path("Conditions").path("HasBucketKmsKey");
        assertTrue(condition.toString().contains("UseExistingBucket"), condition.toString());

        Synthesized withKey = Synthesized.synth(CurrentsBridgeProps.builder()
                .bucketMode(CurrentsBridgeProps.BucketMode.EXISTING).bucketName("my-currents-bucket")
                .currentsBucketKmsKeyArn("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        var cdkDecrypt = withKey.statements(EXPORT_HANDLER).stream()
                .filter(st -> Synthesized.strings(st.get("Action")).contains("kms:Decrypt")).findFirst().orElseThrow();
        assertEquals(Set.of("kms:ViaService"), Synthesized.map(Synthesized.map(cdkDecrypt.get("Condition"))
                .get("StringEquals")).keySet());
    }

    @Test
    void sameLogRetentionForFunctionsAndApiAccessLogs() {
        Set<Integer> cdkRetention = new TreeSet<>();
        cdk.ofType("AWS::Logs::LogGroup").values().forEach(g ->
                cdkRetention.add(((Number) Synthesized.props(g).get("RetentionInDays")).intValue()));
        assertEquals(1, cdkRetention.size(), cdkRetention.toString());
        int days = cdkRetention.iterator().next();
        List<String> groups = new java.util.ArrayList<>();
        samFunctions().forEach((id, fn) -> groups.add(fn.path("LoggingConfig").path("LogGroup").path("Ref").asText()));
        groups.add(sam.path("Resources").path("CurrentsHttpApi").path("Properties").path("AccessLogSettings")
                .path("DestinationArn").path("Fn::GetAtt").get(0).asText());
        for (String group : groups) {
            JsonNode g = sam.path("Resources").path(group);
            assertEquals("AWS::Logs::LogGroup", g.path("Type").asText(), group);
            assertEquals(days, g.path("Properties").path("RetentionInDays").asInt(), group);
        }
        assertEquals(cdk.ofType("AWS::Logs::LogGroup").size(), groups.size());
    }

    @Test
    void sameApiAccessLogFormat() {
        var stage = Synthesized.props(cdk.ofType("AWS::ApiGatewayV2::Stage").values().iterator().next());
        assertEquals(Synthesized.map(stage.get("AccessLogSettings")).get("Format"),
                sam.path("Resources").path("CurrentsHttpApi").path("Properties").path("AccessLogSettings")
                        .path("Format").asText());
        assertEquals(Api.ACCESS_LOG_FORMAT, Synthesized.map(stage.get("AccessLogSettings")).get("Format"));
    }

    @Test
    void queuesBucketAndTopicAreTlsOnlyInBoth() {
        Map<String, String> samPolicies = Map.of(
                "ExportQueue", "ExportQueuePolicy", "ExportDeadLetterQueue", "ExportDeadLetterQueuePolicy",
                "RejectsQueue", "RejectsQueuePolicy");
        samPolicies.forEach((queue, policy) -> {
            JsonNode p = sam.path("Resources").path(policy);
            assertEquals("AWS::SQS::QueuePolicy", p.path("Type").asText(), policy);
            assertTrue(p.path("Condition").isMissingNode(), policy + " must exist in every bucket mode");
            assertEquals(queue, p.path("Properties").path("Queues").get(0).path("Ref").asText());
            assertTrue(Synthesized.deniesInsecureTransport(plain(p.path("Properties").path("PolicyDocument")), "sqs:*"),
                    policy);
        });
        JsonNode bucketPolicy = sam.path("Resources").path("CurrentsBucketPolicy");
        assertEquals("CurrentsBucket", bucketPolicy.path("Properties").path("Bucket").path("Ref").asText());
        assertEquals("CreateBucket", bucketPolicy.path("Condition").asText());
        assertTrue(Synthesized.deniesInsecureTransport(plain(bucketPolicy.path("Properties").path("PolicyDocument")),
                "s3:*"));
        JsonNode topicPolicy = sam.path("Resources").path("AlarmTopicPolicy");
        assertEquals("AlarmTopic", topicPolicy.path("Properties").path("Topics").get(0).path("Ref").asText());
        assertTrue(Synthesized.deniesInsecureTransport(plain(topicPolicy.path("Properties").path("PolicyDocument")),
                "sns:Publish"));
        // And the CDK stack has one for each of the same five resources.
        assertEquals(3, cdk.ofType("AWS::SQS::QueuePolicy").values().stream().filter(q -> Synthesized
                .deniesInsecureTransport(Synthesized.props(q).get("PolicyDocument"), "sqs:*")).count());
        assertEquals(1, cdk.ofType("AWS::S3::BucketPolicy").size());
        assertEquals(1, cdk.ofType("AWS::SNS::TopicPolicy").size());
    }

    @Test
    void onlyTheOneCurrentsBucketMaySendToTheExportQueue() {
        JsonNode statement = samStatements(sam.path("Resources").path("ExportQueuePolicy").path("Properties"))
                .stream().filter(st -> st.path("Principal").path("Service").asText().equals("s3.amazonaws.com"))
                .findFirst().orElseThrow();
        assertTrue(statement.path("Condition").path("StringEquals").isMissingNode(), "no account-wide condition");
        JsonNode source = statement.path("Condition").path("ArnLike").path("aws:SourceArn").path("Fn::Sub");
        assertEquals("arn:${AWS::Partition}:s3:::${Bucket}", source.get(0).asText());
        JsonNode choice = source.get(1).path("Bucket").path("Fn::If");
        assertEquals("CreateBucket", choice.get(0).asText());
        // The new bucket's name is decided in advance, and the policy names exactly that bucket.
        assertEquals(sam.path("Resources").path("CurrentsBucket").path("Properties").path("BucketName"), choice.get(1));
        assertEquals("ExistingBucketName", choice.get(2).path("Ref").asText());
        assertEquals(new TreeSet<>(strings(statement.path("Action"))),
                new TreeSet<>(Synthesized.strings(CurrentsBridgeStackTest.s3Statements(cdk).get(0).get("Action"))));
    }

    @Test
    void tableDeletionProtectionInBoth() {
        assertTrue(sam.path("Resources").path("CohortTable").path("Properties").path("DeletionProtectionEnabled")
                .asBoolean());
        assertEquals(Boolean.TRUE, Synthesized.props(cdk.ofType("AWS::DynamoDB::Table").values().iterator().next())
                .get("DeletionProtectionEnabled"));
    }

    @Test
    void sameDashboardBodyAndMetrics() throws Exception {
        JsonNode dashboard = sam.path("Resources").path("Dashboard");
        assertEquals("AWS::CloudWatch::Dashboard", dashboard.path("Type").asText());
        JsonNode sub = dashboard.path("Properties").path("DashboardBody").path("Fn::Sub");
        String samBody = sub.get(0).asText();
        var cdkDashboard = Synthesized.props(cdk.ofType("AWS::CloudWatch::Dashboard").values().iterator().next());
        List<?> cdkSub = (List<?>) Synthesized.map(cdkDashboard.get("DashboardBody")).get("Fn::Sub");
        assertEquals(Observability.dashboardBody(), samBody,
                "template.yaml's dashboard differs from Observability: regenerate it with Observability.main");
        assertEquals(cdkSub.get(0), samBody);
        assertEquals(metricsOf((String) cdkSub.get(0)), metricsOf(samBody));

        // The variables name the same resources: a queue by its QueueName, a function by its name (Ref).
        Map<String, String> samVars = new TreeMap<>();
        sub.get(1).properties().forEach(v -> samVars.put(v.getKey(), v.getValue().toString()));
        Map<String, String> cdkVars = new TreeMap<>();
        Synthesized.map(cdkSub.get(1)).forEach((k, v) -> cdkVars.put(k, normalise(v)));
        assertEquals(cdkVars, samVars);
        assertEquals(Observability.dashboardResources().size(), samVars.size());
    }

    @Test
    void dashboardShowsEveryEmfMetricTheIssueNamesWithTheFourFunctionValues() throws Exception {
        Set<String> triples = metricsOf(sam.path("Resources").path("Dashboard").path("Properties")
                .path("DashboardBody").path("Fn::Sub").get(0).asText());
        for (String m : List.of("EventsExported", "EventsSkipped", "EventsRejected", "EventsReturned",
                "EventsReceived", "MixpanelLatencyMax", "MixpanelLatencyAvg", "MixpanelRequests", "MixpanelRetries")) {
            assertTrue(triples.contains("CurrentsBridge/" + m + "/Function=export"), m);
        }
        for (String m : List.of("CohortChangesPending", "BrazeRejectedChanges", "BrazeDataPoints", "BrazeRequests",
                "BrazeThrottled", "BrazeConfigurationErrors", "CohortsHeld", "CohortArrayCapExceeded",
                "BrazeUnmatchedMembers")) {
            assertTrue(triples.contains("CurrentsBridge/" + m + "/Function=cohort_refresh"), m);
        }
        for (String m : List.of("EventsReceived", "EventsEnqueued", "Status4xx", "Status5xx")) {
            assertTrue(triples.contains("CurrentsBridge/" + m + "/Function=currents_ingest"), m);
        }
        for (String q : List.of("ExportQueueName", "ExportDeadLetterQueueName", "RejectsQueueName")) {
            assertTrue(triples.contains("AWS/SQS/ApproximateNumberOfMessagesVisible/QueueName=${" + q + "}"), q);
        }
        assertTrue(triples.contains("AWS/SQS/ApproximateAgeOfOldestMessage/QueueName=${ExportQueueName}"));
        for (String f : Observability.FUNCTIONS) {
            for (String m : List.of("Errors", "Throttles", "Duration")) {
                assertTrue(triples.contains("AWS/Lambda/" + m + "/FunctionName=${" + f + "Name}"), f + " " + m);
            }
        }
        Set<String> functionValues = triples.stream().filter(t -> t.contains("/Function="))
                .map(t -> t.replaceAll(".*/Function=", "")).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(Set.of("export", "currents_ingest", "cohort_api", "cohort_refresh").containsAll(functionValues),
                functionValues.toString());
    }

    @Test
    void sameAlarms() {
        Map<String, String> cdkAlarms = new TreeMap<>();
        cdk.ofType("AWS::CloudWatch::Alarm").forEach((id, a) ->
                cdkAlarms.put(id.replaceAll("[0-9A-F]{8}$", ""), alarmKey(plainNode(Synthesized.props(a)))));
        Map<String, String> samAlarms = new TreeMap<>();
        sam.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                samAlarms.put(e.getKey(), alarmKey(e.getValue().path("Properties")));
            }
        });
        assertEquals(cdkAlarms, samAlarms);
        assertEquals(Observability.ALARMS.size(), samAlarms.size());
        // The EMF alarms use the new Function dimension values.
        assertTrue(samAlarms.get("EventsReturnedAlarm").contains("Function=export"));
        assertTrue(samAlarms.get("BrazeRejectedChangesAlarm").contains("Function=cohort_refresh"));
        // issue 13: a Braze configuration error and a held full sync each page someone
        assertTrue(samAlarms.get("BrazeConfigurationErrorsAlarm").contains("BrazeConfigurationErrors Function=cohort_refresh"));
        assertTrue(samAlarms.get("CohortsHeldAlarm").contains("CohortsHeld Function=cohort_refresh"));
    }

    /** What makes two alarms the same: the metric, its dimension (resources by logical id) and the rule. */
    private static String alarmKey(JsonNode a) {
        JsonNode d = a.path("Dimensions").get(0);
        String value = d.path("Value").isTextual() ? d.path("Value").asText() : normalise(plain(d.path("Value")));
        return String.join(" ", a.path("Namespace").asText(), a.path("MetricName").asText(),
                d.path("Name").asText() + "=" + value, a.path("Statistic").asText(),
                "period=" + a.path("Period").asInt(), "evaluate=" + a.path("EvaluationPeriods").asInt(),
                "datapoints=" + a.path("DatapointsToAlarm").asInt(), "threshold=" + a.path("Threshold").asDouble(),
                a.path("ComparisonOperator").asText(), a.path("TreatMissingData").asText(),
                "actions=" + normalise(plain(a.path("AlarmActions"))), a.path("AlarmDescription").asText());
    }

    /** "namespace/metric/dimension=value" of every line of a dashboard body ({@code Fn::Sub} variables kept). */
    private static Set<String> metricsOf(String body) throws Exception {
        Set<String> triples = new TreeSet<>();
        for (JsonNode widget : new ObjectMapper().readTree(body).path("widgets")) {
            for (JsonNode line : widget.path("properties").path("metrics")) {
                triples.add(line.get(0).asText() + "/" + line.get(1).asText() + "/" + line.get(2).asText() + "="
                        + line.get(3).asText());
            }
        }
        return triples;
    }

    /** CDK logical ids carry an 8-character hash; SAM's are the construct ids: compare without it. */
    private static String normalise(Object cfnValue) {
        return JSON.valueToTree(cfnValue).toString().replaceAll("\"([A-Za-z]+)[0-9A-F]{8}\"", "\"$1\"");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Object plain(JsonNode n) {
        return JSON.convertValue(n, Object.class);
    }

    private static JsonNode plainNode(Object o) {
        return JSON.valueToTree(o);
    }

    private static JsonNode samRole(JsonNode fn) {
        String roleId = fn.path("Role").path("Fn::GetAtt").get(0).asText();
        JsonNode role = sam.path("Resources").path(roleId);
        assertEquals("AWS::IAM::Role", role.path("Type").asText(), roleId);
        return role.path("Properties");
    }

    /** Statements of a role's inline policies (or of a policy resource's document), Fn::If branches unwrapped. */
    private static List<JsonNode> samStatements(JsonNode holder) {
        List<JsonNode> docs = new java.util.ArrayList<>();
        if (holder.has("Policies")) {
            holder.path("Policies").forEach(p -> docs.add(p.path("PolicyDocument")));
        } else {
            docs.add(holder.path("PolicyDocument"));
        }
        List<JsonNode> statements = new java.util.ArrayList<>();
        docs.forEach(doc -> doc.path("Statement").forEach(st ->
                statements.add(st.has("Fn::If") ? st.path("Fn::If").get(1) : st)));
        return statements;
    }

    private static String conditionOf(JsonNode role, JsonNode statement) {
        for (JsonNode p : role.path("Policies")) {
            for (JsonNode st : p.path("PolicyDocument").path("Statement")) {
                if (st.has("Fn::If") && st.path("Fn::If").get(1).equals(statement)) {
                    return st.path("Fn::If").get(0).asText();
                }
            }
        }
        return null;
    }

    private static List<String> strings(JsonNode action) {
        List<String> out = new java.util.ArrayList<>();
        if (action.isArray()) {
            action.forEach(a -> out.add(a.asText()));
        } else {
            out.add(action.asText());
        }
        return out;
    }

    private static Map<String, JsonNode> samFunctions() {
        Map<String, JsonNode> fns = new TreeMap<>();
        sam.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                fns.put(e.getKey(), e.getValue().path("Properties"));
            }
        });
        return fns;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Path locate(String file) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(file)) && Files.isDirectory(dir.resolve("infra-cdk"))) {
                return dir.resolve(file);
            }
        }
        throw new AssertionError(file + " not found above " + Path.of("").toAbsolutePath());
    }
}
