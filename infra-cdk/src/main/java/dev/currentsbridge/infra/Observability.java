package dev.currentsbridge.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.CfnDashboard;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

/**
 * The one definition of what Currents Bridge is watched by: the dashboard's widgets and the alarms, as data.
 * The CDK stack builds its {@code AWS::CloudWatch::Dashboard} and alarms from it; {@code template.yaml} carries
 * the same dashboard body ({@link #dashboardBody()}, printed by {@link #main}) and the same alarms, and
 * {@code SamTemplateConsistencyTest} holds the two to it.
 *
 * <p>Resources are named by their logical id in {@code template.yaml}, which is also their construct id in the
 * stack: {@code ExportQueue}, {@code ExportDeadLetterQueue}, {@code RejectsQueue} (dimension {@code QueueName})
 * and the four functions (dimension {@code FunctionName}). In the dashboard body they appear as the
 * {@code Fn::Sub} variable {@code ${<id>Name}}.
 */
public final class Observability {

    /** The EMF namespace and dimension of {@code functions/.../common/log/Metrics.java}. */
    public static final String NAMESPACE = "CurrentsBridge";
    public static final String DIMENSION = "Function";

    /** The {@code Function} dimension values the handlers write. */
    public static final String EXPORT = "export";
    public static final String INGEST = "currents_ingest";
    public static final String COHORT_API = "cohort_api";
    public static final String REFRESH = "cohort_refresh";

    public static final List<String> QUEUES = List.of("ExportQueue", "ExportDeadLetterQueue", "RejectsQueue");
    public static final List<String> FUNCTIONS = List.of("ExportFunction", "CurrentsIngestFunction",
            "CohortApiFunction", "CohortRefreshFunction");

    /** Five minutes: the EMF metrics arrive once per invocation, Lambda's and SQS's every minute. */
    static final int PERIOD = 300;

    /** The export queue's oldest message older than this means export has stalled (Mixpanel down, secret bad). */
    static final int EXPORT_AGE_THRESHOLD_SECONDS = 3600;

    /** A dimension: a fixed value (EMF) or a resource of the stack (its queue or function name). */
    public record Dim(String name, String value, String resource) {
        static Dim function(String emfValue) {
            return new Dim(DIMENSION, emfValue, null);
        }

        static Dim of(String resource) {
            return new Dim(resource.endsWith("Function") ? "FunctionName" : "QueueName", null, resource);
        }

        String rendered() {
            return value != null ? value : "${" + resource + "Name}";
        }
    }

    /** One line of a graph. {@code right}: drawn on the right-hand axis (another unit). */
    public record Line(String namespace, String metric, Dim dim, String stat, String label, boolean right) {
    }

    public record Widget(String title, List<Line> lines) {
    }

    /** An alarm: {@code metric > threshold} in {@code datapoints} of the last {@code periods} periods. */
    public record AlarmSpec(String id, String description, String namespace, String metric, Dim dim, String stat,
                            int period, int periods, int datapoints, double threshold) {
    }

    private static Line emf(String metric, String function, String stat) {
        return new Line(NAMESPACE, metric, Dim.function(function), stat, metric, false);
    }

    private static Line sqs(String metric, String queue, String label, boolean right) {
        return new Line("AWS/SQS", metric, Dim.of(queue), "Maximum", label, right);
    }

    private static List<Line> perFunction(String metric, String stat) {
        return FUNCTIONS.stream().map(f -> new Line("AWS/Lambda", metric, Dim.of(f), stat,
                f.replace("Function", "") + " " + metric, false)).toList();
    }

    /** The dashboard, in screen order (three widgets a row). */
    public static final List<Widget> WIDGETS = List.of(
            new Widget("Export: events by outcome (sum)", List.of(
                    emf("EventsReceived", EXPORT, "Sum"),
                    emf("EventsExported", EXPORT, "Sum"),
                    emf("EventsSkipped", EXPORT, "Sum"),
                    emf("EventsRejected", EXPORT, "Sum"),
                    emf("EventsReturned", EXPORT, "Sum"))),
            new Widget("Export queue: depth and age of oldest message (s, right)", List.of(
                    sqs("ApproximateNumberOfMessagesVisible", "ExportQueue", "visible", false),
                    sqs("ApproximateNumberOfMessagesNotVisible", "ExportQueue", "in flight", false),
                    sqs("ApproximateAgeOfOldestMessage", "ExportQueue", "oldest (s)", true))),
            new Widget("Dead-letter and rejects queues: depth", List.of(
                    sqs("ApproximateNumberOfMessagesVisible", "ExportDeadLetterQueue", "DLQ", false),
                    sqs("ApproximateNumberOfMessagesVisible", "RejectsQueue", "rejects", false))),
            new Widget("Mixpanel /import latency (ms)", List.of(
                    emf("MixpanelLatencyMax", EXPORT, "Maximum"),
                    emf("MixpanelLatencyAvg", EXPORT, "Average"))),
            new Widget("Mixpanel requests and retries (sum)", List.of(
                    emf("MixpanelRequests", EXPORT, "Sum"),
                    emf("MixpanelRetries", EXPORT, "Sum"))),
            // EventsTooLarge: events over an SQS message, enqueued as rejects; UnexpectedConnectorVersion: batches
            // with a Braze-Currents-Version other than 1, accepted. Both normally 0.
            new Widget("Currents HTTP ingest (sum)", List.of(
                    emf("EventsReceived", INGEST, "Sum"),
                    emf("EventsEnqueued", INGEST, "Sum"),
                    emf("Status4xx", INGEST, "Sum"),
                    emf("Status5xx", INGEST, "Sum"),
                    emf("EventsTooLarge", INGEST, "Sum"),
                    emf("UnexpectedConnectorVersion", INGEST, "Sum"))),
            new Widget("Cohort refresh: changes", List.of(
                    emf("CohortChangesPending", REFRESH, "Maximum"),
                    emf("BrazeRejectedChanges", REFRESH, "Sum"),
                    emf("BrazeDataPoints", REFRESH, "Sum"),
                    emf("BrazeConfigurationErrors", REFRESH, "Sum"),
                    emf("CohortsHeld", REFRESH, "Maximum"),
                    emf("CohortArrayCapExceeded", REFRESH, "Maximum"),
                    emf("BrazeUnmatchedMembers", REFRESH, "Maximum"))),
            new Widget("Braze /users/track requests (sum)", List.of(
                    emf("BrazeRequests", REFRESH, "Sum"),
                    emf("BrazeThrottled", REFRESH, "Sum"))),
            new Widget("Function errors and throttles (sum)", concat(perFunction("Errors", "Sum"),
                    perFunction("Throttles", "Sum"))),
            new Widget("Function duration (ms, max)", perFunction("Duration", "Maximum")),
            // The retry budget at work: returned messages (each hidden for its redelivery delay), messages given
            // up to the rejects queue after their last receive, and whole returned batches (export Errors).
            new Widget("Export retries: messages returned, given up (sum)", List.of(
                    emf("MessagesReturned", EXPORT, "Sum"),
                    emf("MessagesExhausted", EXPORT, "Sum"),
                    new Line("AWS/Lambda", "Errors", Dim.of("ExportFunction"), "Sum", "Export Errors", false))));

    /** The alarms: each one is a reason for a person to act (docs/OPERATIONS.md says what to do). */
    public static final List<AlarmSpec> ALARMS = alarms();

    private static List<AlarmSpec> alarms() {
        List<AlarmSpec> a = new ArrayList<>();
        a.add(new AlarmSpec("ExportDlqDepthAlarm",
                "An export message is in the DLQ: the function crashed (or the rejects queue was down) on its last"
                        + " allowed receive (" + CurrentsBridgeStack.MAX_RECEIVE_COUNT + ")",
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", Dim.of("ExportDeadLetterQueue"), "Maximum",
                PERIOD, 1, 1, 0));
        a.add(new AlarmSpec("RejectsAlarm", "Currents events were rejected (see the rejects queue for reasons)",
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", Dim.of("RejectsQueue"), "Maximum", PERIOD, 1, 1, 0));
        a.add(new AlarmSpec("ExportQueueAgeAlarm",
                "The oldest export message waits for more than an hour: export is stalled or far behind",
                "AWS/SQS", "ApproximateAgeOfOldestMessage", Dim.of("ExportQueue"), "Maximum", PERIOD, 1, 1,
                EXPORT_AGE_THRESHOLD_SECONDS));
        // One returned batch is a retry doing its job; three periods in a row is an outage to look at.
        a.add(new AlarmSpec("EventsReturnedAlarm",
                "Export keeps returning events to the queue for retry (15 minutes): Mixpanel or a secret is failing",
                NAMESPACE, "EventsReturned", Dim.function(EXPORT), "Sum", PERIOD, 3, 3, 0));
        // Any message given up is data a person must replay once Mixpanel or the secret is fixed.
        a.add(new AlarmSpec("ExportRetriesExhaustedAlarm",
                "Export messages used up their retry budget: their events are in the rejects queue (retries_exhausted)",
                NAMESPACE, "MessagesExhausted", Dim.function(EXPORT), "Sum", PERIOD, 1, 1, 0));
        a.add(new AlarmSpec("BrazeRejectedChangesAlarm",
                "Braze rejected cohort membership changes (see the refresh log for reasons)",
                NAMESPACE, "BrazeRejectedChanges", Dim.function(REFRESH), "Sum", PERIOD, 1, 1, 0));
        // Not a per-user verdict: nothing reaches Braze until the configuration is fixed (docs/OPERATIONS.md).
        a.add(new AlarmSpec("BrazeConfigurationErrorsAlarm",
                "Braze answered that the configuration is wrong (endpoint, key, permission, request size): cohort sync"
                        + " stopped, every change pending; see last_error in GET /cohorts",
                NAMESPACE, "BrazeConfigurationErrors", Dim.function(REFRESH), "Sum", PERIOD, 1, 1, 0));
        a.add(new AlarmSpec("CohortsHeldAlarm",
                "A full sync would remove most of a cohort and is held: check the cohort in Mixpanel, then confirm"
                        + " with PATCH /cohorts/{id} {\"confirm_removals\": true}",
                NAMESPACE, "CohortsHeld", Dim.function(REFRESH), "Maximum", PERIOD, 1, 1, 0));
        for (String fn : FUNCTIONS) {
            String name = fn.replace("Function", "");
            a.add(new AlarmSpec(name + "ErrorsAlarm", name + " function errors", "AWS/Lambda", "Errors",
                    Dim.of(fn), "Sum", PERIOD, 1, 1, 0));
            a.add(new AlarmSpec(name + "ThrottlesAlarm", name + " function throttles", "AWS/Lambda", "Throttles",
                    Dim.of(fn), "Sum", PERIOD, 1, 1, 0));
        }
        return List.copyOf(a);
    }

    /**
     * The dashboard body for {@code Fn::Sub}: the variables are {@code ${<resource id>Name}} and
     * {@code ${AWS::Region}}. One widget a line, so {@code template.yaml} can hold it as a readable block.
     */
    public static String dashboardBody() {
        List<String> widgets = new ArrayList<>();
        int width = 8;
        int height = 6;
        for (int i = 0; i < WIDGETS.size(); i++) {
            Widget w = WIDGETS.get(i);
            String metrics = w.lines().stream().map(Observability::metricJson).collect(Collectors.joining(","));
            widgets.add("{\"type\":\"metric\",\"x\":" + (i % 3) * width + ",\"y\":" + (i / 3) * height
                    + ",\"width\":" + width + ",\"height\":" + height + ",\"properties\":{\"title\":\""
                    + w.title() + "\",\"region\":\"${AWS::Region}\",\"view\":\"timeSeries\",\"stacked\":false,"
                    + "\"period\":" + PERIOD + ",\"metrics\":[" + metrics + "]}}");
        }
        return "{\"widgets\":[\n" + String.join(",\n", widgets) + "\n]}";
    }

    private static String metricJson(Line l) {
        return "[\"" + l.namespace() + "\",\"" + l.metric() + "\",\"" + l.dim().name() + "\",\"" + l.dim().rendered()
                + "\",{\"stat\":\"" + l.stat() + "\",\"label\":\"" + l.label() + "\""
                + (l.right() ? ",\"yAxis\":\"right\"" : "") + "}]";
    }

    /** The resources the dashboard body names, i.e. its {@code Fn::Sub} variables without the suffix. */
    public static List<String> dashboardResources() {
        return WIDGETS.stream().flatMap(w -> w.lines().stream()).map(l -> l.dim().resource())
                .filter(r -> r != null).distinct().sorted().toList();
    }

    /** Builds the dashboard and the alarms in the stack; every alarm notifies the topic. */
    static CfnDashboard addTo(Construct scope, Map<String, Queue> queues, Map<String, Function> functions,
                              ITopic topic) {
        Map<String, String> names = new LinkedHashMap<>();
        queues.forEach((id, q) -> names.put(id, q.getQueueName()));
        functions.forEach((id, f) -> names.put(id, f.getFunctionName()));

        Map<String, String> variables = new LinkedHashMap<>();
        for (String resource : dashboardResources()) {
            variables.put(resource + "Name", require(names, resource));
        }
        CfnDashboard dashboard = CfnDashboard.Builder.create(scope, "Dashboard")
                // Dashboards are global to the account: the region keeps two regions' stacks apart.
                .dashboardName(Fn.sub("${AWS::StackName}-${AWS::Region}"))
                .dashboardBody(Fn.sub(dashboardBody(), variables))
                .build();

        SnsAction notify = new SnsAction(topic);
        for (AlarmSpec s : ALARMS) {
            Dim d = s.dim();
            Metric metric = Metric.Builder.create()
                    .namespace(s.namespace())
                    .metricName(s.metric())
                    .dimensionsMap(Map.of(d.name(), d.value() != null ? d.value() : require(names, d.resource())))
                    .statistic(s.stat())
                    .period(Duration.seconds(s.period()))
                    .build();
            Alarm alarm = Alarm.Builder.create(scope, s.id())
                    .alarmDescription(s.description())
                    .metric(metric)
                    .threshold(s.threshold())
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                    .evaluationPeriods(s.periods())
                    .datapointsToAlarm(s.datapoints())
                    // No data is good news for every alarm here (no messages, no invocations, no rejects).
                    .treatMissingData(TreatMissingData.NOT_BREACHING)
                    .build();
            alarm.addAlarmAction(notify);
        }
        return dashboard;
    }

    private static String require(Map<String, String> names, String resource) {
        String n = names.get(resource);
        if (n == null) {
            throw new IllegalArgumentException("no resource " + resource + " for the dashboard/alarms");
        }
        return n;
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> l : lists) {
            all.addAll(l);
        }
        return List.copyOf(all);
    }

    /** Prints the body as {@code template.yaml} holds it (a literal block under {@code Fn::Sub}). */
    public static void main(String[] args) {
        String indent = args.length > 0 ? args[0] : "            ";
        System.out.println(indent.substring(2) + "- |-");
        dashboardBody().lines().forEach(l -> System.out.println(indent + l));
        System.out.println(indent.substring(2) + "- " + dashboardResources().stream()
                .map(r -> r + "Name: " + (r.endsWith("Function") ? "{Ref: " + r + "}"
                        : "{Fn::GetAtt: [" + r + ", QueueName]}"))
                .collect(Collectors.joining("\n" + indent)));
    }
}
