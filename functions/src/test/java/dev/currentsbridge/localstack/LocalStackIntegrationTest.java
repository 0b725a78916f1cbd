package dev.currentsbridge.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.standins.braze.BrazeFake;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The four handlers against LocalStack's SQS, DynamoDB, S3 and Secrets Manager, invoked the way Lambda invokes
 * them: the class named by the {@code Handler} string, built with its public no-arg constructor in a fresh JVM
 * whose environment holds exactly the variables the stack sets (plus {@code AWS_ENDPOINT_URL}), with the event
 * read from {@code events-samples/}. Mixpanel and Braze are loopback fakes in this JVM.
 *
 * <p>Skipped where no Docker engine is available (CI, these build machines). The image is pinned to a tag from
 * before LocalStack required an auth token (4.14 and later do).
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIntegrationTest {

    static final String EXPORT = "dev.currentsbridge.export.ExportHandler";
    static final String INGEST = "dev.currentsbridge.export.CurrentsIngestHandler";
    static final String COHORT_API = "dev.currentsbridge.cohorts.CohortApiHandler";
    static final String REFRESH = "dev.currentsbridge.cohorts.CohortRefreshHandler";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .build();
    private static final Path SAMPLES = locateSamples();

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.4"))
            .withServices(LocalStackContainer.Service.SQS, LocalStackContainer.Service.DYNAMODB,
                    LocalStackContainer.Service.S3, LocalStackContainer.Service.SECRETSMANAGER);

    private static MixpanelFake mixpanel;
    private static BrazeFake braze;
    private static SqsClient sqs;
    private static String exportQueueUrl;
    private static String rejectsQueueUrl;
    private static final Map<String, String> lambdaEnv = new HashMap<>();

    @BeforeAll
    static void createResources() throws IOException {
        mixpanel = MixpanelFake.start().acceptUsername("local-project-token");
        braze = BrazeFake.start("local-braze-rest-key");

        String endpoint = LOCALSTACK.getEndpoint().toString();
        AwsClients aws = new AwsClients(Region.of(LOCALSTACK.getRegion()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(LOCALSTACK.getAccessKey(),
                        LOCALSTACK.getSecretKey())),
                new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(20)),
                Env.of(Map.of("AWS_ENDPOINT_URL", endpoint)));

        sqs = aws.sqs();
        exportQueueUrl = sqs.createQueue(b -> b.queueName("currents-export")
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "720"))).queueUrl();
        rejectsQueueUrl = sqs.createQueue(b -> b.queueName("currents-rejects")).queueUrl();

        DynamoDbClient dynamo = aws.dynamoDb();
        String table = "currents-bridge-cohorts";
        dynamo.createTable(b -> b.tableName(table)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
        dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                TimeToLiveSpecification.builder().attributeName("expires_at").enabled(true).build()));

        SecretsManagerClient secrets = aws.configureBuilder(SecretsManagerClient.builder(), "SECRETS_MANAGER").build();
        String mixpanelSecret = secrets.createSecret(b -> b.name("currents-bridge/mixpanel")
                .secretString("{\"project_token\":\"local-project-token\"}")).arn();
        String tokenSecret = secrets.createSecret(b -> b.name("currents-bridge/currents-token")
                .secretString("local-currents-token")).arn();
        String brazeSecret = secrets.createSecret(b -> b.name("currents-bridge/braze-api-key")
                .secretString("local-braze-rest-key")).arn();

        S3Client s3 = aws.configureBuilder(S3Client.builder(), "S3").forcePathStyle(true).build();
        s3.createBucket(b -> b.bucket("currents-bridge-local"));

        // What the CDK stack and template.yaml set (docs/ARCHITECTURE.md), pointed at LocalStack and the fakes.
        lambdaEnv.putAll(Map.of(
                "AWS_REGION", LOCALSTACK.getRegion(),
                "AWS_ACCESS_KEY_ID", LOCALSTACK.getAccessKey(),
                "AWS_SECRET_ACCESS_KEY", LOCALSTACK.getSecretKey(),
                "AWS_ENDPOINT_URL", endpoint,
                "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED"));
        lambdaEnv.putAll(Map.of(
                "MIXPANEL_REGION", "US",
                "MIXPANEL_API_URL", mixpanel.baseUrl(),
                "MIXPANEL_SECRET_ID", mixpanelSecret,
                "REJECTS_QUEUE_URL", rejectsQueueUrl,
                "EXPORT_EVENT_TYPES", "default",
                "EXPORT_QUEUE_URL", exportQueueUrl,
                "CURRENTS_TOKEN_SECRET_ID", tokenSecret,
                "TABLE_NAME", table,
                "BRAZE_REST_ENDPOINT", braze.endpoint().toString(),
                "BRAZE_API_KEY_SECRET_ID", brazeSecret));
    }

    @AfterAll
    static void stopFakes() {
        if (mixpanel != null) {
            mixpanel.close();
        }
        if (braze != null) {
            braze.close();
        }
    }

    @BeforeEach
    void drainQueues() {
        // Receive-and-delete rather than PurgeQueue, which refuses a second purge within 60 s.
        for (String url : List.of(exportQueueUrl, rejectsQueueUrl)) {
            for (List<Message> got = receiveAll(url); !got.isEmpty(); got = receiveAll(url)) {
                got.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())));
            }
        }
        mixpanel.reset();
        braze.reset();
    }

    @Test
    void ingestPutsAnAuthenticatedBatchOnTheExportQueue() throws Exception {
        JsonNode reply = invoke(INGEST, "apigw/currents-post-valid.json");
        int status = reply.path("statusCode").asInt();
        assertTrue(status >= 200 && status < 300, reply.toString());
        List<Message> messages = receiveAll(exportQueueUrl);
        int events = 0;
        for (Message m : messages) {
            events += MAPPER.readTree(m.body()).path("events").size();
        }
        assertEquals(3, events, "the sample's three events are on the queue");
    }

    @Test
    void ingestRefusesABadTokenAndEnqueuesNothing() throws Exception {
        JsonNode reply = invoke(INGEST, "apigw/currents-post-bad-token.json");
        int status = reply.path("statusCode").asInt();
        assertTrue(status == 401 || status == 403, reply.toString());
        assertEquals(List.of(), receiveAll(exportQueueUrl));
    }

    @Test
    void exportImportsStorageEventsIntoMixpanel() throws Exception {
        JsonNode reply = invoke(EXPORT, "sqs/storage-event.json");
        assertEquals(0, reply.path("batchItemFailures").size(), reply.toString());
        assertEquals(2, mixpanelEvents().size());
        assertTrue(mixpanelEvents().stream().allMatch(e -> e.contains("\"Email Open\"")), mixpanelEvents().toString());
    }

    @Test
    void exportSendsUndecodableMessagesToTheRejectsQueue() throws Exception {
        JsonNode reply = invoke(EXPORT, "sqs/poison-message.json");
        assertEquals(0, reply.path("batchItemFailures").size(), reply.toString());
        assertEquals(1, mixpanelEvents().size(), "only the good event is imported");
        String rejects = receiveAll(rejectsQueueUrl).stream().map(Message::body).toList().toString();
        assertTrue(rejects.contains("not_json") && rejects.contains("unknown_shape"), rejects);
    }

    @Test
    void cohortApiLooksUpTheKeyInTheTable() throws Exception {
        // No key is registered: 401 proves the lookup reached DynamoDB (a store failure answers 503).
        JsonNode reply = invoke(COHORT_API, "apigw/status-list-cohorts.json");
        assertEquals(401, reply.path("statusCode").asInt(), reply.toString());
    }

    @Test
    void refreshRunsAgainstAnEmptyTableWithoutCallingBraze() throws Exception {
        invoke(REFRESH, "schedule/refresh.json");
        assertEquals(List.of(), brazeRequests());
    }

    // ---------------------------------------------------------------- helpers

    /** Runs the handler in a child JVM, as Lambda would, and returns its JSON answer. */
    private static JsonNode invoke(String handler, String sample) throws Exception {
        Path out = Files.createTempFile("lambda-answer", ".json");
        Path log = Files.createTempFile("lambda-log", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Invoke.class.getName(), handler, SAMPLES.resolve(sample).toString(), out.toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(lambdaEnv);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(handler + " did not finish:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> handler + " failed:\n" + readQuietly(log));
        return MAPPER.readTree(out.toFile());
    }

    private static List<Message> receiveAll(String queueUrl) {
        List<Message> all = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            var got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            all.addAll(got);
            if (got.isEmpty()) {
                break;
            }
        }
        return all;
    }

    /** The events the Mixpanel emulator imported, as JSON text. */
    private static List<String> mixpanelEvents() {
        return mixpanel.imported().stream().map(JsonNode::toString).toList();
    }

    /** The bodies of the requests the Braze emulator received. */
    private static List<String> brazeRequests() {
        return braze.requests().stream().map(r -> String.valueOf(r.body())).toList();
    }

    private static Path locateSamples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("events-samples/apigw"))) {
                return dir.resolve("events-samples");
            }
        }
        return Path.of("events-samples");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * The child JVM's entry point: what the Lambda Java runtime does with a {@code Handler} string. Loads the
     * class by name (so this test compiles whatever handlers exist), builds it with its no-arg constructor,
     * converts the sample to the handler's input type and writes the answer as JSON.
     */
    public static final class Invoke {

        private Invoke() {
        }

        public static void main(String[] args) throws Exception {
            Class<?> type = Class.forName(args[0]);
            Object handler = type.getDeclaredConstructor().newInstance();
            Method handle = Arrays.stream(type.getMethods())
                    .filter(m -> m.getName().equals("handleRequest") && m.getParameterCount() == 2 && !m.isBridge())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(args[0] + " has no handleRequest(event, context)"));
            ObjectNode event = (ObjectNode) MAPPER.readTree(Path.of(args[1]).toFile());
            Class<?> inputType = handle.getParameterTypes()[0];
            Object input;
            try {
                input = MAPPER.treeToValue(event, inputType);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                // ScheduledEvent's time is a Joda DateTime, which Lambda's own serializer handles; the refresh
                // handler does not read it.
                event.remove("time");
                input = MAPPER.treeToValue(event, inputType);
            }
            Object answer = handle.invoke(handler, input, dev.currentsbridge.standins.local.LocalLambdaContext.withTimeout(
                    args[0].substring(args[0].lastIndexOf('.') + 1), Duration.ofSeconds(60), 512));
            MAPPER.writeValue(Path.of(args[2]).toFile(), answer);
            System.exit(0);
        }
    }

}
