package dev.currentsbridge.infra;

import static dev.currentsbridge.infra.CurrentsBridgeStack.EXPORT_HANDLER;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SAM template ({@code template.yaml}) and the CDK stack describe the same deployment: same handlers,
 * sizing, environment variable names, routes, triggers and granted actions. Read with a plain YAML parser.
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
        assertEquals("java21", globals.path("Runtime").asText());
        assertEquals("arm64", globals.path("Architectures").get(0).asText());
        assertEquals("PublishedVersions", globals.path("SnapStart").path("ApplyOn").asText());
        assertEquals("live", globals.path("AutoPublishAlias").asText());
        assertEquals(CurrentsBridgeProps.JAR_FROM_ROOT, globals.path("CodeUri").asText());
        for (JsonNode fn : functions.values()) {
            String handler = fn.path("Handler").asText();
            Map<String, Object> cdkFn = cdk.function(handler);
            assertEquals(((Number) cdkFn.get("MemorySize")).intValue(), fn.path("MemorySize").asInt(), handler);
            assertEquals(((Number) cdkFn.get("Timeout")).intValue(), fn.path("Timeout").asInt(), handler);
        }
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
    void sameGrantedActions() {
        for (JsonNode fn : samFunctions().values()) {
            String handler = fn.path("Handler").asText();
            Set<String> samActions = new TreeSet<>();
            fn.path("Policies").forEach(policy -> policy.path("Statement").forEach(st -> {
                JsonNode statement = st.has("Fn::If") ? st.path("Fn::If").get(1) : st;
                JsonNode action = statement.path("Action");
                if (action.isArray()) {
                    action.forEach(a -> samActions.add(a.asText()));
                } else {
                    samActions.add(action.asText());
                }
            }));
            Set<String> expected = new TreeSet<>(cdk.actions(handler));
            if (handler.equals(EXPORT_HANDLER)) {
                // SAM's SQS event grants the consume actions itself (managed AWSLambdaSQSQueueExecutionRole).
                expected.removeAll(Set.of("sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage"));
            }
            assertEquals(expected, samActions, handler);
            assertTrue(samActions.stream().noneMatch(a -> a.contains("*")), handler);
        }
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
