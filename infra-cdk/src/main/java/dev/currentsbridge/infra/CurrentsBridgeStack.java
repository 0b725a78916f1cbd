package dev.currentsbridge.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
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
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;
import software.constructs.IConstruct;

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

    /**
     * The export queue's {@code maxReceiveCount}, also given to the function as {@code EXPORT_MAX_RECEIVES}: with the
     * function's redelivery delays (5 min doubling to ~12 h) 16 receives span 104 h of a Mixpanel outage (145 h of a
     * credentials error) before the function gives a message up to the rejects queue (docs/RELIABILITY.md, "Retry
     * budget"). Only a crash on the last receive leaves a message to the dead-letter queue.
     */
    static final int MAX_RECEIVE_COUNT = dev.currentsbridge.export.domain.redelivery.RetryBudget.QUEUE_MAX_RECEIVES;

    /**
     * The export queue keeps messages SQS's maximum, 14 days: the retry budget plus a week of backlog. The function
     * is told it ({@code EXPORT_QUEUE_RETENTION_SECONDS}) to give up a message its next delay would take past it.
     */
    static final Duration EXPORT_RETENTION = Duration.seconds(
            dev.currentsbridge.export.domain.redelivery.RetryBudget.QUEUE_RETENTION.toSeconds());

    /**
     * Exactly the DynamoDB calls each cohort function's code path makes (cohorts.adapter's Dynamo* adapters,
     * through CohortApi, PostbackService and KeyAdmin for the API; CohortRefresher for the refresh). The API reads
     * keys and cohorts (GetItem, Query), records postbacks and keys (PutItem, UpdateItem) and never writes members; only the
     * refresh writes members, in BatchWriteItem, and it puts no single items. grantReadWriteData would add Scan,
     * DeleteItem, DescribeTable, ConditionCheckItem and stream reads, none of which the code calls. Extend a list
     * when the store starts making another call.
     */
    static final List<String> COHORT_API_TABLE_ACTIONS = List.of(
            "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem");
    static final List<String> REFRESH_TABLE_ACTIONS = List.of(
            "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem");

    /**
     * What deletion forwarding's DynamoDB state (functions' export.adapter.DynamoDeletionState) calls, only on its
     * own partitions of the cohort table ({@code dynamodb:LeadingKeys}): the export function cannot read or write
     * cohorts, members or keys.
     */
    static final List<String> DELETION_TABLE_ACTIONS = List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query");
    static final List<String> DELETION_LEADING_KEYS = List.of("idmap#*", "suppressed", "deletion-tasks");

    /** Function logs and API access logs; long enough to investigate an alarm after a holiday. */
    static final RetentionDays LOG_RETENTION = RetentionDays.ONE_MONTH;

    /**
     * Lambda's newest Java runtime, which SnapStart supports. The code is Java 21 bytecode
     * ({@code maven.compiler.release=21}), which the Java 25 runtime runs unchanged.
     */
    static final Runtime RUNTIME = Runtime.JAVA_25;

    /** JVM flags of every function (template.yaml's Globals say the same; SamTemplateConsistencyTest checks). */
    static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED";

    private final Function exportFunction;
    private final Function ingestFunction;
    private final Function cohortApiFunction;
    private final Function refreshFunction;

    public CurrentsBridgeStack(Construct scope, String id, StackProps stackProps, CurrentsBridgeProps props) {
        super(scope, id, stackProps);

        Code code = Code.fromAsset(props.resolveFunctionsAsset().toAbsolutePath().toString());

        // ---- Secrets: names travel in env vars, values only ever through Secrets Manager at run time.
        Secrets secrets = new Secrets(this, props);
        ISecret mixpanelSecret = secrets.mixpanel;
        ISecret brazeSecret = secrets.braze;
        ISecret currentsTokenSecret = secrets.currentsToken;

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
                // A Mixpanel outage of a few days must not lose Currents data (the retry budget spans 4-6 days).
                .retentionPeriod(EXPORT_RETENTION)
                .deadLetterQueue(DeadLetterQueue.builder().queue(exportDlq).maxReceiveCount(MAX_RECEIVE_COUNT).build())
                .build();
        Queue rejectsQueue = Queue.Builder.create(this, "RejectsQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        suppress(rejectsQueue, "AwsSolutions-SQS3", "The rejects queue is itself a terminal queue, like a DLQ: no"
                + " function consumes it; people and `bridge rejects` read it to inspect and replay events. A redrive"
                + " policy would move events to yet another queue after a few inspections (each read is a receive).");

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
                // Retain covers stack deletion; deletion protection also covers a console or CLI delete.
                .deletionProtection(true)
                .build();

        // ---- Functions. Memory also buys CPU on Lambda, and JSON/gzip/Avro work is CPU-bound.
        // Export: decodes Currents files of up to 100,000 events and runs concurrent gzip'd /import requests;
        // 120 s leaves room for Mixpanel 429 back-off within one batch of 10 messages.
        exportFunction = function("ExportFunction", EXPORT_HANDLER, code, 1024, EXPORT_TIMEOUT,
                props.exportReservedConcurrency(),
                "Braze Currents (SQS) -> Mixpanel /import", env(
                        "MIXPANEL_REGION", props.mixpanelRegion(),
                        "MIXPANEL_SECRET_ID", mixpanelSecret.getSecretArn(),
                        "REJECTS_QUEUE_URL", rejectsQueue.getQueueUrl(),
                        "EXPORT_EVENT_TYPES", props.exportEventTypes(),
                        "EXPORT_EVENT_NAMES", props.exportEventNames(),
                        "IDENTITY_MODE", props.identityMode(),
                        "EXPORT_ANONYMOUS", Boolean.toString(props.exportAnonymous()),
                        "MIXPANEL_CONCURRENCY", Integer.toString(CurrentsBridgeProps.MIXPANEL_CONCURRENCY),
                        "EXPORT_MAX_RECEIVES", Integer.toString(MAX_RECEIVE_COUNT),
                        "EXPORT_QUEUE_RETENTION_SECONDS", Long.toString(EXPORT_RETENTION.toSeconds().longValue()),
                        "FORWARD_DELETIONS", Boolean.toString(props.forwardDeletions()),
                        "TABLE_NAME", table.getTableName()));
        // Ingest: validates the bearer token and forwards batches of <= 100 events to SQS; short, so a hung
        // dependency fails fast and Braze retries, well inside API Gateway's 30 s integration limit.
        ingestFunction = function("CurrentsIngestFunction", INGEST_HANDLER, code, 512, Duration.seconds(10), null,
                "Braze Currents HTTP connector -> export queue", env(
                        "EXPORT_QUEUE_URL", exportQueue.getQueueUrl(),
                        "CURRENTS_TOKEN_SECRET_ID", currentsTokenSecret.getSecretArn()));
        // Cohort API: a Mixpanel postback page is at most a few thousand members written in batches of 25.
        cohortApiFunction = function("CohortApiFunction", COHORT_API_HANDLER, code, 512, Duration.seconds(15), null,
                "Mixpanel cohort postbacks, partner cohort API, status and key routes", env(
                        "TABLE_NAME", table.getTableName(),
                        "MEMBER_ID_FIELD", props.memberIdField(),
                        "DEFAULT_SYNC_MODE", props.defaultSyncMode()));
        // Refresh: drains pending membership changes to Braze /users/track (BRAZE_OBJECTS_PER_REQUEST users per
        // request, rate limited); 300 s is a third of the interval, so two runs never overlap. Reserved concurrency 1 (as
        // docs/COHORTS.md recommends): a retried or manual run waits instead of racing the scheduled one for
        // leases and the Braze rate limit.
        refreshFunction = function("CohortRefreshFunction", REFRESH_HANDLER, code, 1024, Duration.seconds(300), 1,
                "Scheduled: pending cohort changes -> Braze /users/track", env(
                        "TABLE_NAME", table.getTableName(),
                        "BRAZE_REST_ENDPOINT", props.brazeRestEndpoint(),
                        "BRAZE_API_KEY_SECRET_ID", brazeSecret.getSecretArn(),
                        "COHORT_ATTRIBUTE", props.cohortAttribute(),
                        "COHORT_VALUE", props.cohortValue(),
                        "STALE_AFTER_INTERVALS", "4",
                        "REFRESH_INTERVAL_MINUTES", Integer.toString(REFRESH_INTERVAL_MINUTES),
                        // Braze limits and safeguards (docs/COHORTS.md); 50 objects for MAU contracts
                        "BRAZE_OBJECTS_PER_REQUEST", "75",
                        "COHORT_ARRAY_MAX", "25",
                        "MASS_REMOVAL_MAX_PERCENT", "50",
                        "MASS_REMOVAL_MIN_MEMBERS", "100"));

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
        table.grant(cohortApiFunction, COHORT_API_TABLE_ACTIONS.toArray(String[]::new));
        table.grant(refreshFunction, REFRESH_TABLE_ACTIONS.toArray(String[]::new));
        brazeSecret.grantRead(refreshFunction);
        if (props.forwardDeletions()) {
            exportFunction.addToRolePolicy(software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                    .actions(DELETION_TABLE_ACTIONS).resources(List.of(table.getTableArn()))
                    .conditions(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", DELETION_LEADING_KEYS)))
                    .build());
        }

        // The event source mapping grants the consume actions on the export queue.
        exportLive.addEventSource(SqsEventSource.Builder.create(exportQueue)
                .batchSize(10)
                // A few seconds of batching turns a trickle of single HTTP-connector batches into fuller
                // /import requests without delaying data noticeably.
                .maxBatchingWindow(Duration.seconds(5))
                .reportBatchItemFailures(true)
                // At most this many export invocations at once: exportMaxConcurrency x MIXPANEL_CONCURRENCY requests
                // in flight stays within the 10-20 concurrent clients Mixpanel suggests, so a backlog does not
                // turn into a 429 storm that burns receives. Without it a backlog scales pollers into the hundreds.
                .maxConcurrency(props.exportMaxConcurrency())
                .build());

        // ---- Optional Currents bucket: object-created notifications for the prefix feed the export queue.
        IBucket bucket = CurrentsBucket.attach(this, props, exportQueue, exportFunction);

        // ---- HTTP API (routes, throttling, access logs without credentials): see Api.
        LogGroup accessLogs = LogGroup.Builder.create(this, "ApiAccessLogs").retention(LOG_RETENTION).build();
        Api api = new Api(this, ingestLive, cohortApiLive, accessLogs);

        // ---- Refresh schedule. A missed run is caught up by the next one, so retries stay few and short.
        Rule.Builder.create(this, "RefreshSchedule")
                .description("Apply pending Mixpanel cohort changes to Braze")
                .schedule(Schedule.rate(Duration.minutes(REFRESH_INTERVAL_MINUTES)))
                .targets(List.of(new LambdaFunction(refreshLive, LambdaFunctionProps.builder()
                        .retryAttempts(2)
                        .maxEventAge(Duration.minutes(10))
                        .build())))
                .build();

        // ---- Dashboard and alarms: see Observability. The topic stays unencrypted: CloudWatch cannot publish to
        // the AWS-managed SNS key. It accepts TLS publishers only.
        Topic alarmTopic = Topic.Builder.create(this, "AlarmTopic").displayName("Currents Bridge alarms")
                .enforceSsl(true).build();
        if (props.alarmEmail() != null) {
            alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail()));
        }
        Map<String, Queue> queues = new LinkedHashMap<>();
        queues.put("ExportQueue", exportQueue);
        queues.put("ExportDeadLetterQueue", exportDlq);
        queues.put("RejectsQueue", rejectsQueue);
        Map<String, Function> functions = new LinkedHashMap<>();
        functions.put("ExportFunction", exportFunction);
        functions.put("CurrentsIngestFunction", ingestFunction);
        functions.put("CohortApiFunction", cohortApiFunction);
        functions.put("CohortRefreshFunction", refreshFunction);
        var dashboard = Observability.addTo(this, queues, functions, alarmTopic);

        // ---- Outputs.
        output("ApiUrl", api.stage.getUrl(), "Base URL: POST /currents, POST /mixpanel/webhook, ...");
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
        output("DashboardName", dashboard.getRef(), "CloudWatch dashboard (docs/OPERATIONS.md)");
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

    private Function function(String id, String handler, Code code, int memoryMb, Duration timeout,
                              Integer reservedConcurrency, String description, Map<String, String> environment) {
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs").retention(LOG_RETENTION).build();
        // An own role instead of the one Function creates with the managed AWSLambdaBasicExecutionRole (logs on
        // every log group of the account): this one may only write streams of the function's own log group.
        Role role = Role.Builder.create(this, id + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        logs.grantWrite(role);
        Map<String, String> all = new LinkedHashMap<>(environment);
        // Level-1 JIT only: the fastest start for short invocations (what Lambda's java21 runtime does by default;
        // explicit, so it holds on java25 too and SnapStart restores and local runs behave alike). Native access for
        // snappy-java's loader, which JDK 24+ otherwise answers with a four-line "restricted method" warning.
        all.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
        Function fn = Function.Builder.create(this, id)
                .description(description)
                .role(role)
                .reservedConcurrentExecutions(reservedConcurrency)
                .runtime(RUNTIME)
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

    /** A cdk-nag suppression recorded on the resource itself, with the reason it holds. */
    static void suppress(IConstruct resource, String rule, String reason) {
        NagSuppressions.addResourceSuppressions(resource, List.of(NagPackSuppression.builder()
                .id(rule).reason(reason).build()), true);
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }
}
