package dev.currentsbridge.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.SqsDestination;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Everything one Currents Bridge deployment needs: the HTTP API, the four functions (each behind a SnapStart
 * alias {@code live}), the export, dead-letter and rejects queues, the optional Currents bucket, the cohort
 * table, the secrets, the refresh schedule, and alarms. Functions get only the grants they use.
 */
public final class CurrentsBridgeStack extends Stack {

    static final String ALIAS = "live";
    static final String EXPORT_HANDLER = "dev.currentsbridge.export.ExportHandler::handleRequest";
    static final String INGEST_HANDLER = "dev.currentsbridge.export.CurrentsIngestHandler::handleRequest";
    static final String COHORT_API_HANDLER = "dev.currentsbridge.cohorts.CohortApiHandler::handleRequest";
    static final String REFRESH_HANDLER = "dev.currentsbridge.cohorts.CohortRefreshHandler::handleRequest";

    /** The schedule and {@code REFRESH_INTERVAL_MINUTES} come from this one number so they cannot drift. */
    static final int REFRESH_INTERVAL_MINUTES = 15;

    /** Export timeout; the queue's visibility timeout is derived from it. */
    static final Duration EXPORT_TIMEOUT = Duration.seconds(120);

    /**
     * AWS's guidance for SQS event sources: visibility at least 6 times the function timeout, so a message
     * is not redelivered while a (retried, throttled) invocation still holds it.
     */
    static final int VISIBILITY_FACTOR = 6;

    /** A poison message is tried this many times before it parks in the dead-letter queue. */
    static final int MAX_RECEIVE_COUNT = 5;

    /**
     * Exactly the calls the DynamoDB cohort store makes (GetItem, Query, PutItem, UpdateItem, BatchWriteItem):
     * grantReadWriteData would add Scan, stream reads (the table has no stream), DescribeTable and
     * ConditionCheckItem (transactions, which the cohort code does not use). Extend this list when the store
     * starts making another call.
     */
    static final List<String> COHORT_TABLE_ACTIONS = List.of(
            "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem");

    private static final Pattern COMPLETE_SECRET_ARN = Pattern.compile(".*-[A-Za-z0-9]{6}$");

    private final Function exportFunction;
    private final Function ingestFunction;
    private final Function cohortApiFunction;
    private final Function refreshFunction;

    public CurrentsBridgeStack(Construct scope, String id, StackProps stackProps, CurrentsBridgeProps props) {
        super(scope, id, stackProps);

        Code code = Code.fromAsset(props.resolveFunctionsAsset().toAbsolutePath().toString());

        // ---- Secrets: names travel in env vars, values only ever through Secrets Manager at run time.
        ISecret mixpanelSecret = secret("MixpanelSecret", props.mixpanelSecretArn(),
                "Mixpanel credentials for /import: replace with {\"service_account_user\",\"service_account_secret\","
                        + "\"project_id\"} or {\"api_secret\"} or {\"project_token\"}",
                SecretStringGenerator.builder()
                        .secretStringTemplate("{\"service_account_user\":\"REPLACE_ME\",\"project_id\":\"REPLACE_ME\"}")
                        .generateStringKey("service_account_secret")
                        .excludePunctuation(true)
                        .build());
        ISecret brazeSecret = secret("BrazeApiKeySecret", props.brazeApiKeySecretArn(),
                "Braze REST API key with users.track permission: replace the generated placeholder",
                SecretStringGenerator.builder().excludePunctuation(true).passwordLength(36).build());
        // The generated value is usable as is: paste it into the Braze HTTP connector as the bearer token.
        ISecret currentsTokenSecret = secret("CurrentsTokenSecret", props.currentsTokenSecretArn(),
                "Bearer token the Braze Currents HTTP connector sends to POST /currents",
                SecretStringGenerator.builder().excludePunctuation(true).passwordLength(40).build());

        // ---- Queues (SQS-managed server-side encryption, TLS only).
        Queue exportDlq = Queue.Builder.create(this, "ExportDeadLetterQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        Queue exportQueue = Queue.Builder.create(this, "ExportQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(Duration.seconds(EXPORT_TIMEOUT.toSeconds().intValue() * VISIBILITY_FACTOR))
                // A Mixpanel outage of a few days must not lose Currents data.
                .retentionPeriod(Duration.days(7))
                .deadLetterQueue(DeadLetterQueue.builder().queue(exportDlq).maxReceiveCount(MAX_RECEIVE_COUNT).build())
                .build();
        Queue rejectsQueue = Queue.Builder.create(this, "RejectsQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();

        // ---- Cohort state: sessions, members, pending Braze changes, data import keys.
        Table table = Table.Builder.create(this, "CohortTable")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                // Finished sync sessions and applied changes expire by TTL; the code never deletes in bulk.
                .timeToLiveAttribute("expires_at")
                .encryption(TableEncryption.AWS_MANAGED)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        // ---- Functions. Memory also buys CPU on Lambda, and JSON/gzip/Avro work is CPU-bound.
        // Export: decodes Currents files of up to 100,000 events and runs concurrent gzip'd /import requests;
        // 120 s leaves room for Mixpanel 429 back-off within one batch of 10 messages.
        exportFunction = function("ExportFunction", EXPORT_HANDLER, code, 1024, EXPORT_TIMEOUT,
                "Braze Currents (SQS) -> Mixpanel /import", env(
                        "MIXPANEL_REGION", props.mixpanelRegion(),
                        "MIXPANEL_SECRET_ID", mixpanelSecret.getSecretArn(),
                        "REJECTS_QUEUE_URL", rejectsQueue.getQueueUrl(),
                        "EXPORT_EVENT_TYPES", props.exportEventTypes(),
                        "EXPORT_EVENT_NAMES", props.exportEventNames(),
                        "MIXPANEL_CONCURRENCY", "4"));
        // Ingest: validates the bearer token and forwards batches of <= 100 events to SQS; short, so a hung
        // dependency fails fast and Braze retries, well inside API Gateway's 30 s integration limit.
        ingestFunction = function("CurrentsIngestFunction", INGEST_HANDLER, code, 512, Duration.seconds(10),
                "Braze Currents HTTP connector -> export queue", env(
                        "EXPORT_QUEUE_URL", exportQueue.getQueueUrl(),
                        "CURRENTS_TOKEN_SECRET_ID", currentsTokenSecret.getSecretArn()));
        // Cohort API: a Mixpanel postback page is at most a few thousand members written in batches of 25.
        cohortApiFunction = function("CohortApiFunction", COHORT_API_HANDLER, code, 512, Duration.seconds(15),
                "Mixpanel cohort postbacks, partner cohort API, status and key routes", env(
                        "TABLE_NAME", table.getTableName(),
                        "MEMBER_ID_FIELD", props.memberIdField(),
                        "DEFAULT_SYNC_MODE", props.defaultSyncMode()));
        // Refresh: drains pending membership changes to Braze /users/track (75 users per request, rate
        // limited); 300 s is a third of the interval, so two runs never overlap.
        refreshFunction = function("CohortRefreshFunction", REFRESH_HANDLER, code, 1024, Duration.seconds(300),
                "Scheduled: pending cohort changes -> Braze /users/track", env(
                        "TABLE_NAME", table.getTableName(),
                        "BRAZE_REST_ENDPOINT", props.brazeRestEndpoint(),
                        "BRAZE_API_KEY_SECRET_ID", brazeSecret.getSecretArn(),
                        "COHORT_ATTRIBUTE", props.cohortAttribute(),
                        "COHORT_VALUE", props.cohortValue(),
                        "STALE_AFTER_INTERVALS", "4",
                        "REFRESH_INTERVAL_MINUTES", Integer.toString(REFRESH_INTERVAL_MINUTES)));

        // Everything invokes the alias, i.e. the SnapStart-published version, never $LATEST.
        Alias exportLive = exportFunction.addAlias(ALIAS);
        Alias ingestLive = ingestFunction.addAlias(ALIAS);
        Alias cohortApiLive = cohortApiFunction.addAlias(ALIAS);
        Alias refreshLive = refreshFunction.addAlias(ALIAS);

        // ---- Least privilege, through grants.
        mixpanelSecret.grantRead(exportFunction);
        rejectsQueue.grantSendMessages(exportFunction);
        exportQueue.grantSendMessages(ingestFunction);
        currentsTokenSecret.grantRead(ingestFunction);
        table.grant(cohortApiFunction, COHORT_TABLE_ACTIONS.toArray(String[]::new));
        table.grant(refreshFunction, COHORT_TABLE_ACTIONS.toArray(String[]::new));
        brazeSecret.grantRead(refreshFunction);

        // The event source mapping grants the consume actions on the export queue.
        exportLive.addEventSource(SqsEventSource.Builder.create(exportQueue)
                .batchSize(10)
                // A few seconds of batching turns a trickle of single HTTP-connector batches into fuller
                // /import requests without delaying data noticeably.
                .maxBatchingWindow(Duration.seconds(5))
                .reportBatchItemFailures(true)
                .build());

        // ---- Optional Currents bucket: object-created notifications for the prefix feed the export queue.
        IBucket bucket = switch (props.bucketMode()) {
            case NEW -> {
                var b = Bucket.Builder.create(this, "CurrentsBucket")
                        .encryption(BucketEncryption.S3_MANAGED)
                        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                        .enforceSsl(true)
                        .removalPolicy(RemovalPolicy.RETAIN);
                if (props.bucketName() != null) {
                    b.bucketName(props.bucketName());
                }
                yield b.build();
            }
            case EXISTING -> Bucket.fromBucketName(this, "CurrentsBucket", props.bucketName());
            case NONE -> null;
        };
        if (bucket != null) {
            bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(exportQueue),
                    NotificationKeyFilter.builder().prefix(props.currentsPrefix()).build());
            // Only GetObject, only under the Currents prefix (the grantRead helper would add s3:GetBucket* and
            // s3:List*, which the export function never calls).
            exportFunction.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:GetObject"))
                    .resources(List.of(bucket.arnForObjects(props.currentsPrefix() + "*")))
                    .build());
        }

        // ---- HTTP API with stage-wide throttling, so a misbehaving caller cannot run up the Lambda bill.
        HttpApi api = HttpApi.Builder.create(this, "HttpApi")
                .description("Currents Bridge: Braze Currents ingest, Mixpanel cohort postbacks and status")
                .createDefaultStage(false)
                .build();
        HttpStage stage = HttpStage.Builder.create(this, "DefaultStage")
                .httpApi(api)
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder().rateLimit(200).burstLimit(400).build())
                .build();
        HttpLambdaIntegration ingestIntegration = new HttpLambdaIntegration("IngestIntegration", ingestLive);
        HttpLambdaIntegration cohortIntegration = new HttpLambdaIntegration("CohortApiIntegration", cohortApiLive);
        route(api, HttpMethod.POST, "/currents", ingestIntegration);
        route(api, HttpMethod.POST, "/mixpanel/webhook", cohortIntegration);
        route(api, HttpMethod.POST, "/partners/mixpanel/cohorts", cohortIntegration);
        route(api, HttpMethod.POST, "/partners/mixpanel/cohorts/users", cohortIntegration);
        route(api, HttpMethod.GET, "/cohorts", cohortIntegration);
        // Cohort detail and sync-mode change: the cohort API serves these too (not in ARCHITECTURE's list).
        route(api, HttpMethod.GET, "/cohorts/{cohortId}", cohortIntegration);
        route(api, HttpMethod.PATCH, "/cohorts/{cohortId}", cohortIntegration);
        route(api, HttpMethod.GET, "/cohorts/{cohortId}/members", cohortIntegration);
        route(api, HttpMethod.POST, "/keys", cohortIntegration);
        route(api, HttpMethod.GET, "/keys", cohortIntegration);
        route(api, HttpMethod.DELETE, "/keys/{keyId}", cohortIntegration);

        // ---- Refresh schedule. A missed run is caught up by the next one, so retries stay few and short.
        Rule.Builder.create(this, "RefreshSchedule")
                .description("Apply pending Mixpanel cohort changes to Braze")
                .schedule(Schedule.rate(Duration.minutes(REFRESH_INTERVAL_MINUTES)))
                .targets(List.of(new LambdaFunction(refreshLive, LambdaFunctionProps.builder()
                        .retryAttempts(2)
                        .maxEventAge(Duration.minutes(10))
                        .build())))
                .build();

        // ---- Alarms. The topic stays unencrypted: CloudWatch cannot publish to the AWS-managed SNS key.
        Topic alarmTopic = Topic.Builder.create(this, "AlarmTopic").displayName("Currents Bridge alarms").build();
        if (props.alarmEmail() != null) {
            alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail()));
        }
        SnsAction notify = new SnsAction(alarmTopic);
        Duration period = Duration.minutes(5);
        alarm("ExportDlqDepthAlarm", "Export messages failed " + MAX_RECEIVE_COUNT + " times and are parked in the DLQ",
                exportDlq.metricApproximateNumberOfMessagesVisible(
                        MetricOptions.builder().period(period).statistic("Maximum").build()), notify);
        alarm("RejectsAlarm", "Currents events were rejected (see the rejects queue for reasons)",
                rejectsQueue.metricApproximateNumberOfMessagesVisible(
                        MetricOptions.builder().period(period).statistic("Maximum").build()), notify);
        Map<String, Function> functions = new LinkedHashMap<>();
        functions.put("Export", exportFunction);
        functions.put("CurrentsIngest", ingestFunction);
        functions.put("CohortApi", cohortApiFunction);
        functions.put("CohortRefresh", refreshFunction);
        MetricOptions sum = MetricOptions.builder().period(period).statistic("Sum").build();
        functions.forEach((name, fn) -> {
            alarm(name + "ErrorsAlarm", name + " function errors", fn.metricErrors(sum), notify);
            alarm(name + "ThrottlesAlarm", name + " function throttles", fn.metricThrottles(sum), notify);
        });

        // ---- Outputs.
        output("ApiUrl", stage.getUrl(), "Base URL: POST /currents, POST /mixpanel/webhook, ...");
        output("ExportQueueUrl", exportQueue.getQueueUrl(), "Export queue");
        output("ExportDeadLetterQueueUrl", exportDlq.getQueueUrl(), "Export dead-letter queue");
        output("RejectsQueueUrl", rejectsQueue.getQueueUrl(), "Rejected Currents events with their reason");
        if (bucket != null) {
            output("CurrentsBucketName", bucket.getBucketName(),
                    "Bucket Braze Currents writes to (prefix " + props.currentsPrefix() + ")");
        }
        output("CohortTableName", table.getTableName(), "Cohort state table");
        output("MixpanelSecretArn", mixpanelSecret.getSecretArn(), "Put the Mixpanel credentials JSON here");
        output("BrazeApiKeySecretArn", brazeSecret.getSecretArn(), "Put the Braze REST API key here");
        output("CurrentsTokenSecretArn", currentsTokenSecret.getSecretArn(),
                "Bearer token for the Braze Currents HTTP connector");
        output("AlarmTopicArn", alarmTopic.getTopicArn(), "Alarm notifications");
    }

    public Function exportFunction() {
        return exportFunction;
    }

    public Function ingestFunction() {
        return ingestFunction;
    }

    public Function cohortApiFunction() {
        return cohortApiFunction;
    }

    public Function refreshFunction() {
        return refreshFunction;
    }

    private ISecret secret(String id, String existingArn, String description, SecretStringGenerator placeholder) {
        if (existingArn != null) {
            // A complete ARN ends in the 6-character suffix Secrets Manager appends; grants on a partial ARN
            // need the "-??????" pattern CDK adds for partial ARNs.
            return COMPLETE_SECRET_ARN.matcher(existingArn).matches()
                    ? Secret.fromSecretCompleteArn(this, id, existingArn)
                    : Secret.fromSecretPartialArn(this, id, existingArn);
        }
        return Secret.Builder.create(this, id)
                .description(description)
                .generateSecretString(placeholder)
                // Credentials a person typed in must survive a stack deletion.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    private Function function(String id, String handler, Code code, int memoryMb, Duration timeout,
                              String description, Map<String, String> environment) {
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs").retention(RetentionDays.ONE_MONTH).build();
        Map<String, String> all = new LinkedHashMap<>(environment);
        // Level-1 JIT only: the fastest start for short invocations (Lambda's own java21 default, set
        // explicitly so SnapStart restores and local runs behave alike).
        all.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        Function fn = Function.Builder.create(this, id)
                .description(description)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(handler)
                .code(code)
                .memorySize(memoryMb)
                .timeout(timeout)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .environment(all)
                .logGroup(logs)
                .build();
        // Each function is published (currentVersion, via the alias), which is what SnapStart needs.
        Annotations.of(fn).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "invoked only through the alias '" + ALIAS + "' on the published version");
        return fn;
    }

    /** Pairs of name, value; a null value leaves the variable unset so the code's default applies. */
    private static Map<String, String> env(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                m.put(pairs[i], pairs[i + 1]);
            }
        }
        return m;
    }

    private static void route(HttpApi api, HttpMethod method, String path, HttpLambdaIntegration integration) {
        api.addRoutes(AddRoutesOptions.builder().path(path).methods(List.of(method)).integration(integration).build());
    }

    private void alarm(String id, String description, IMetric metric, SnsAction action) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(action);
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }
}
