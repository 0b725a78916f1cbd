package dev.currentsbridge.cli.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SampleJson;
import dev.currentsbridge.cli.local.LocalContext;
import dev.currentsbridge.cli.local.Placeholders;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Sleeper;
import dev.currentsbridge.export.CurrentsIngestHandler;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.domain.input.MessageClassifier;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.aws.S3Stub;
import dev.currentsbridge.standins.aws.SecretsManagerStub;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Stands in for {@code sam local invoke} (SAM CLI cannot run here): reads {@code template.yaml}, resolves each
 * function's Handler to the real class and method, checks that the template sets every environment variable
 * the handler's code requires (and that the others have documented defaults), then builds each handler with
 * the template's Environment and the same AWS adapters the Lambda uses, pointed at the loopback stand-ins
 * (ElasticMQ, dynalite, Secrets Manager and S3 stubs, Mixpanel and Braze fakes), and invokes it with each of
 * its {@code events-samples} files, asserting the outcome {@code events-samples/README.md} documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateInvokeTest {

    /** The modules whose code is in the Lambda jar. */
    private static final List<Path> SOURCES = List.of(Cli.ROOT.resolve("functions/src/main/java"),
            Cli.ROOT.resolve("aws/src/main/java"), Cli.ROOT.resolve("core/src/main/java"));
    /** Set by the Lambda runtime, or the AWS SDK's own endpoint override: never by a template. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    private static final String TOKEN = Placeholders.SAMPLE_TOKEN;
    private static final String BRAZE_KEY = "braze-rest-key";
    private static final Pattern ENV_READ = Pattern.compile(
            "\\b(required|get|getInt|getBoolean|optional|raw)\\(\\s*\"([A-Z][A-Z0-9_]+)\"");

    private SamTemplate template;
    private ElasticMq sqs;
    private Dynalite dynalite;
    private DynamoDbClient dynamo;
    private SecretsManagerStub secrets;
    private S3Stub s3;
    private MixpanelFake mixpanel;
    private BrazeFake braze;
    private String exportQueue;
    private String rejectsQueue;
    private String table;
    private String dataImportKey;
    private int avroEvents;
    private final Map<String, Set<String>> readAtRuntime = new ConcurrentHashMap<>();

    private Consumer<String> logSink;
    private Consumer<String> metricsSink;

    @BeforeAll
    void standIns() throws IOException {
        // The handlers' JSON logs and metrics would drown the test report.
        logSink = Log.setSink(line -> { });
        metricsSink = Metrics.setSink(line -> { });
        template = SamTemplate.load(Cli.TEMPLATE);
        sqs = ElasticMq.shared();
        exportQueue = sqs.createQueue("export");
        rejectsQueue = sqs.createQueue("rejects");
        dynalite = Dynalite.shared();
        dynamo = dynalite.client();
        table = dynalite.newCohortTable(dynamo);
        dataImportKey = new KeyAdmin(CohortStores.dynamo(dynamo, table).keys(), Clock.systemUTC()).create("samples").secret();
        secrets = SecretsManagerStub.start()
                .put("mixpanel-secret", "{\"project_token\":\"mp-token\"}")
                .put("currents-token-secret", TOKEN)
                .put("braze-api-key-secret", BRAZE_KEY);
        mixpanel = MixpanelFake.start().acceptUsername("mp-token");
        braze = BrazeFake.start(BRAZE_KEY);
        s3 = S3Stub.start();
        // The S3 samples name one Avro object: serve a generated Currents file there (README: tests do).
        JsonNode s3Sample = sample("sqs/s3-notification.json");
        InputMessage.S3Objects objects = (InputMessage.S3Objects) MessageClassifier.classify(
                s3Sample.path("Records").get(0).path("body").asText(), null);
        avroEvents = 6;
        for (InputMessage.S3ObjectRef ref : objects.objects()) {
            s3.put(ref.bucket(), ref.key(), CurrentsFixtures.emailOpenAvro("s3-sample", avroEvents, 0, CodecFactory.nullCodec()));
        }
    }

    @AfterAll
    void stop() {
        Log.setSink(logSink);
        Metrics.setSink(metricsSink);
        secrets.close();
        s3.close();
        mixpanel.close();
        braze.close();
        dynamo.close();
    }

    // ---- the template against the code ------------------------------------------------------------------------

    @Test
    void everyFunctionsHandlerIsARealClassAndMethodWithALambdaConstructor() throws Exception {
        assertEquals(Set.of("ExportFunction", "CurrentsIngestFunction", "CohortApiFunction", "CohortRefreshFunction"),
                template.functions().keySet());
        for (SamTemplate.Function f : template.functions().values()) {
            Class<?> type = Class.forName(f.handlerClass());
            assertTrue(RequestHandler.class.isAssignableFrom(type), f.handler());
            assertTrue(Modifier.isPublic(type.getConstructor().getModifiers()), f.handler() + " needs a public no-arg constructor");
            Method m = InvokeCommand.handlerMethod(type, f);
            assertEquals(Context.class, m.getParameterTypes()[1], f.handler());
        }
    }

    @Test
    void theTemplateSetsEveryVariableTheCodeRequiresAndTheRestHaveDocumentedDefaults() throws IOException {
        String architecture = Files.readString(Cli.ROOT.resolve("docs/ARCHITECTURE.md"));
        for (SamTemplate.Function f : template.functions().values()) {
            EnvReads reads = envReads(f.handlerClass());
            assertFalse(reads.required().isEmpty(), f.logicalId() + ": the scan found no required variable");
            for (String v : reads.required()) {
                if (!notForTemplates(v)) {
                    assertTrue(f.environment().containsKey(v), f.logicalId() + " must set " + v + " (required by the code)");
                }
            }
            for (String v : reads.optional()) {
                if (!notForTemplates(v) && !f.environment().containsKey(v)) {
                    assertTrue(architecture.contains("| `" + v + "` |"), f.logicalId() + " reads " + v
                            + ", which the template does not set and docs/ARCHITECTURE.md does not document");
                }
            }
        }
    }

    private static boolean notForTemplates(String variable) {
        return RUNTIME_VARIABLES.contains(variable) || variable.startsWith("AWS_ENDPOINT_URL");
    }

    // ---- invoking the samples -------------------------------------------------------------------------------------

    @Test
    void apiSamplesGiveTheDocumentedStatus() throws Exception {
        Map<String, Expected> documented = readme("apigw");
        assertTrue(documented.size() >= 10, documented.toString());
        // Webhooks first: the status samples document their answer "once cohort 456 exists".
        List<String> order = new ArrayList<>(documented.keySet());
        order.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        List<String> problems = new ArrayList<>();
        for (String file : order) {
            Expected e = documented.get(file);
            int before = sqs.depth(exportQueue);
            JsonNode reply = invoke(e.function(), "apigw/" + file);
            int status = reply.path("statusCode").asInt();
            if (!e.statuses().contains(status)) {
                problems.add(file + ": documented " + e.text() + " but got " + status + " " + reply.path("body").asText());
                continue;
            }
            JsonNode body = Json.MAPPER.readTree(reply.path("body").asText("null"));
            if (e.text().contains("\"status\":\"success\"")) {
                assertEquals("success", body.path("status").asText(), file);
            }
            if (e.text().contains("{\"message\":\"success\"}")) {
                assertEquals("success", body.path("message").asText(), file);
            }
            if (e.text().contains("nothing enqueued")) {
                assertEquals(before, sqs.depth(exportQueue), file + ": nothing may be enqueued");
            }
            if (e.text().contains("one message with the batch on the export queue")) {
                assertEquals(before + 1, sqs.depth(exportQueue), file);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void sqsSamplesAreExportedOrRejectedAsDocumented() throws Exception {
        Map<String, Expected> documented = readme("sqs");
        assertEquals(Set.of("storage-event.json", "http-batch.json", "s3-notification.json", "s3-via-sns.json",
                "s3-via-eventbridge.json", "poison-message.json"), documented.keySet());
        Map<String, Integer> imports = Map.of("storage-event.json", 2, "http-batch.json", 3,
                "s3-notification.json", avroEvents, "s3-via-sns.json", avroEvents, "s3-via-eventbridge.json", avroEvents,
                "poison-message.json", 1);
        for (String file : documented.keySet()) {
            assertTrue(documented.get(file).text().contains("batchItemFailures: []"), file);
            sqs.drain(rejectsQueue);
            int before = mixpanel.imported().size();
            JsonNode reply = invoke("ExportFunction", "sqs/" + file);
            assertEquals("[]", reply.path("batchItemFailures").toString(), file + ": " + reply);
            assertEquals((int) imports.get(file), mixpanel.imported().size() - before, file);
            int rejects = sqs.drain(rejectsQueue).size();
            assertEquals(file.equals("poison-message.json") ? 2 : 0, rejects, file);
        }
        assertTrue(mixpanel.imported().stream().anyMatch(e -> e.path("event").asText().equals("Email Open")));
    }

    @Test
    void theScheduledRefreshAppliesPendingChangesToBraze() throws Exception {
        Map<String, Expected> documented = readme("schedule");
        assertEquals(Set.of("refresh.json"), documented.keySet());
        invoke("CohortApiFunction", "apigw/webhook-add-members.json");
        JsonNode report = invoke("CohortRefreshFunction", "schedule/refresh.json");
        assertTrue(report.has("brazeRequests"), report.toString());
        assertTrue(braze.accepted().stream().anyMatch(r -> r.body().toString().contains("user-01003")),
                braze.requests().toString());
        braze.accepted().forEach(r -> assertTrue(r.objects() <= 75));
    }

    @Test
    void whatTheHandlersReadAtRuntimeIsWhatTheScanFound() throws Exception {
        invoke("CurrentsIngestFunction", "apigw/currents-post-valid.json");
        invoke("ExportFunction", "sqs/storage-event.json");
        invoke("CohortApiFunction", "apigw/status-list-cohorts.json");
        invoke("CohortRefreshFunction", "schedule/refresh.json");
        for (SamTemplate.Function f : template.functions().values()) {
            Set<String> read = readAtRuntime.getOrDefault(f.logicalId(), Set.of());
            EnvReads scanned = envReads(f.handlerClass());
            Set<String> all = new TreeSet<>(scanned.required());
            all.addAll(scanned.optional());
            assertFalse(read.isEmpty(), f.logicalId());
            for (String v : read) {
                if (!v.startsWith("AWS_ENDPOINT_URL")) {
                    assertTrue(all.contains(v), f.logicalId() + " read " + v + " which the source scan missed: " + all);
                }
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Builds the function's handler as its no-arg constructor does, with the template's environment. */
    private Object handler(SamTemplate.Function f, Env env) {
        AwsClients aws = TestAws.clients(env);
        String c = f.handlerClass();
        if (c.equals(ExportHandler.class.getName())) {
            return new ExportHandler(ExportPorts.fromAws(aws, env), env);
        }
        if (c.equals(CurrentsIngestHandler.class.getName())) {
            return new CurrentsIngestHandler(new SqsExportQueue(aws.sqs(), env.required("EXPORT_QUEUE_URL")),
                    aws.secrets(env.required("CURRENTS_TOKEN_SECRET_ID")), env);
        }
        if (c.equals(CohortApiHandler.class.getName())) {
            return new CohortApiHandler(CohortStores.dynamo(dynamo, env.required("TABLE_NAME")), env, Clock.systemUTC());
        }
        if (c.equals(CohortRefreshHandler.class.getName())) {
            // Postbacks younger than SETTLE wait for the next run: this invocation is that next run.
            Clock later = Clock.offset(Clock.systemUTC(), CohortRefresher.SETTLE.plusSeconds(1));
            return new CohortRefreshHandler(CohortStores.dynamo(dynamo, env.required("TABLE_NAME")),
                    new BrazeHttpClient(SharedHttpClient.get(), URI.create(env.required("BRAZE_REST_ENDPOINT")),
                            aws.secrets(env.required("BRAZE_API_KEY_SECRET_ID")),
                            env.required("BRAZE_API_KEY_SECRET_ID")),
                    env, later, Sleeper.REAL);
        }
        throw new AssertionError("no stand-in wiring for " + c);
    }

    /** Like {@code sam local invoke FUNCTION -e events-samples/FILE}: the response as JSON. */
    private JsonNode invoke(String functionId, String sampleFile) throws Exception {
        SamTemplate.Function f = template.function(functionId);
        Set<String> read = readAtRuntime.computeIfAbsent(functionId, k -> ConcurrentHashMap.newKeySet());
        Map<String, String> values = environment(f);
        Env env = name -> {
            read.add(name);
            return values.get(name);
        };
        Object handler = handler(f, env);
        Method m = InvokeCommand.handlerMethod(handler.getClass(), f);
        JsonNode sample = sample(sampleFile);
        if (sample instanceof ObjectNode o && o.path("requestContext").isObject()) {
            new Placeholders(dataImportKey, TOKEN).apply(o);
        }
        Object event = EventCodec.read(sample.toString(), m.getParameterTypes()[0], sampleFile);
        Object response = m.invoke(handler, event, LocalContext.create(functionId, f.timeout(), f.memoryMb()));
        return Json.MAPPER.readTree(EventCodec.write(response));
    }

    /** The template's variables with parameter defaults and resources resolved to the stand-ins. */
    private Map<String, String> environment(SamTemplate.Function f) {
        Map<String, String> resources = Map.of("ExportQueue", exportQueue, "RejectsQueue", rejectsQueue,
                "CohortTable", table, "MixpanelSecret", "mixpanel-secret", "CurrentsTokenSecret", "currents-token-secret",
                "BrazeApiKeySecret", "braze-api-key-secret");
        Map<String, String> env = new HashMap<>(TestAws.endpoints(sqs.endpoint(), secrets.endpoint(), s3.endpoint()));
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint().toString());
        f.environment().forEach((k, v) -> {
            String value = resolve(v, resources);
            if (value != null && !value.isEmpty()) {
                env.put(k, value);
            }
        });
        // Local overrides, as sam local invoke --env-vars would give: the partner APIs are fakes on loopback.
        env.put("MIXPANEL_API_URL", mixpanel.baseUrl());
        env.put("BRAZE_REST_ENDPOINT", braze.endpoint().toString());
        return env;
    }

    private String resolve(Object value, Map<String, String> resources) {
        if (value instanceof String s) {
            return s;
        }
        return resolve(((SamTemplate.Intrinsic) value).node(), resources);
    }

    /** Ref (parameter default or stand-in resource), Fn::If (the branch the default parameters select). */
    private String resolve(JsonNode n, Map<String, String> resources) {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.has("Ref")) {
            String ref = n.get("Ref").asText();
            if (ref.equals("AWS::NoValue")) {
                return null;
            }
            String v = template.parameterDefaults().containsKey(ref) ? template.parameterDefaults().get(ref) : resources.get(ref);
            assertNotNull(v, "cannot resolve Ref " + ref);
            return v;
        }
        if (n.has("Fn::If")) {
            // Default parameters create the secrets and leave optional settings empty: the first branch either
            // names the created resource or refers to the (empty) parameter.
            return resolve(n.get("Fn::If").get(1), resources);
        }
        fail("unsupported intrinsic in an environment variable: " + n);
        return null;
    }

    private static JsonNode sample(String file) throws IOException {
        return SampleJson.MAPPER.readTree(Cli.SAMPLES.resolve(file).toFile());
    }

    /** A README row: the function the file is for, and its documented outcome. */
    record Expected(String function, String text, Set<Integer> statuses) {
    }

    /** The rows of {@code events-samples/README.md}'s table for one folder. */
    private static Map<String, Expected> readme(String folder) throws IOException {
        List<String> lines = Files.readAllLines(Cli.SAMPLES.resolve("README.md"));
        Map<String, Expected> rows = new LinkedHashMap<>();
        boolean inSection = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## " + folder + "/");
                continue;
            }
            if (!inSection || !line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|");
            String file = cells[1].strip().replace("`", "");
            String outcome = cells[cells.length - 1].strip();
            String function = folder.equals("sqs") ? "ExportFunction" : cells[2].strip() + "Function";
            Matcher same = Pattern.compile("^as `([^`]+)`").matcher(outcome);
            if (same.find() && rows.containsKey(same.group(1))) {
                outcome = rows.get(same.group(1)).text(); // "as `s3-notification.json`"
            }
            rows.put(file, new Expected(function, outcome, statuses(outcome)));
        }
        return rows;
    }

    /** "2xx", "401 (or 403)", "200 {...}" -> the acceptable status codes. */
    private static Set<Integer> statuses(String outcome) {
        Set<Integer> s = new LinkedHashSet<>();
        Matcher lead = Pattern.compile("^(\\d)xx").matcher(outcome);
        if (lead.find()) {
            int base = Integer.parseInt(lead.group(1)) * 100;
            for (int i = 0; i < 100; i++) {
                s.add(base + i);
            }
            return s;
        }
        Matcher first = Pattern.compile("^(\\d{3})").matcher(outcome);
        if (first.find()) {
            s.add(Integer.parseInt(first.group(1)));
        }
        Matcher alt = Pattern.compile("\\(or (\\d{3})\\)").matcher(outcome);
        while (alt.find()) {
            s.add(Integer.parseInt(alt.group(1)));
        }
        return s;
    }

    private static int rank(String file) {
        return file.startsWith("webhook") || file.startsWith("partner") ? 0 : file.startsWith("status") ? 1 : 2;
    }

    /** Variables read by the handler's code: its source and every project class it reaches through imports. */
    record EnvReads(Set<String> required, Set<String> optional) {
    }

    private static EnvReads envReads(String handlerClass) throws IOException {
        Set<String> visited = new TreeSet<>();
        List<String> todo = new ArrayList<>(List.of(handlerClass));
        Set<String> required = new TreeSet<>();
        Set<String> optional = new TreeSet<>();
        while (!todo.isEmpty()) {
            String c = todo.remove(todo.size() - 1);
            String relative = c.replace('.', '/') + ".java";
            Path file = SOURCES.stream().map(root -> root.resolve(relative)).filter(Files::isRegularFile).findFirst()
                    .orElse(null);
            if (!visited.add(c) || file == null) {
                continue;
            }
            String src = Files.readString(file);
            Matcher m = ENV_READ.matcher(src);
            while (m.find()) {
                (m.group(1).equals("required") ? required : optional).add(m.group(2));
            }
            Matcher imports = Pattern.compile("(?m)^import (dev\\.currentsbridge\\.[\\w.]+);").matcher(src);
            while (imports.find()) {
                todo.add(imports.group(1));
            }
            String pkg = c.substring(0, c.lastIndexOf('.'));
            for (Path root : SOURCES) {
                Path dir = root.resolve(pkg.replace('.', '/'));
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> siblings = Files.list(dir)) {
                    for (Path p : siblings.toList()) {
                        String simple = p.getFileName().toString().replace(".java", "");
                        if (Pattern.compile("\\b" + simple + "\\b").matcher(src).find()) {
                            todo.add(pkg + "." + simple);
                        }
                    }
                }
            }
        }
        optional.removeAll(required);
        return new EnvReads(required, optional);
    }
}
