package dev.currentsbridge.cli.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SystemAwsKeys;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.adapter.S3ObjectSource;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.export.domain.input.InputMessage;
import dev.currentsbridge.export.domain.input.MessageClassifier;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.aws.S3Stub;
import dev.currentsbridge.standins.aws.SqsLambdaPoller;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.junit.LogCapture;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code bridge export --via-queue}: the objects under an S3 prefix (the loopback {@link S3Stub}, signatures
 * verified) become S3 notifications on the export queue (ElasticMQ); the real {@link ExportHandler}, fed by an
 * SQS event source stand-in, then reads every file from S3 and imports it into the Mixpanel fake. Also: the dry
 * run only counts, the checkpoint makes a second run resume after the last object sent.
 */
class ExportViaQueueTest {

    private static final String BUCKET = "currents-bucket";
    private static final String OPENS = "currents/event_type=" + CurrentsFixtures.EMAIL_OPEN + "/date=2026-11-28-22/";
    /** Keys as Currents writes them ('=' in folders, '+' in names) plus a space: the notification must encode them. */
    private static final List<String> KEYS = List.of(OPENS + "a+0+part 1.avro", OPENS + "a+0+part 2.avro",
            OPENS + "b+0+part 1.avro", OPENS + "b+0+part 2.avro", OPENS + "c+0+part 1.avro");

    @TempDir
    Path tmp;
    private final ElasticMq mq = ElasticMq.shared();
    private S3Stub s3;
    private SystemAwsKeys keys;
    private String queue;

    @BeforeEach
    void setUp() {
        s3 = S3Stub.start().pageSize(2);
        for (int i = 0; i < KEYS.size(); i++) {
            // 4 opens each, every 4th without an external id: 3 imported, 1 skipped per file.
            s3.put(BUCKET, KEYS.get(i), CurrentsFixtures.emailOpenAvro("f" + i, 4, 4, CodecFactory.snappyCodec()));
        }
        keys = SystemAwsKeys.use("test", "test");
        queue = mq.createQueue("export");
    }

    @AfterEach
    void tearDown() {
        keys.close();
        s3.close();
    }

    private Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_S3", s3.endpoint().toString(), "AWS_ENDPOINT_URL_SQS", mq.endpoint().toString());
    }

    private Cli.Result enqueue(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--via-queue", queue,
                "--checkpoint", tmp.resolve("checkpoint.json").toString()));
        args.addAll(List.of(extra));
        return Cli.run(env(), args.toArray(String[]::new));
    }

    private static String keyOf(Message m) {
        InputMessage input = MessageClassifier.classify(m.body(), null);
        InputMessage.S3Objects objects = assertInstanceOf(InputMessage.S3Objects.class, input, m.body());
        assertEquals(1, objects.objects().size(), "one object a message");
        assertEquals(BUCKET, objects.objects().get(0).bucket());
        return objects.objects().get(0).key();
    }

    @Test
    void theFleetImportsEveryObjectEnqueued() {
        Cli.Result r = enqueue("s3://" + BUCKET + "/currents/");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), "no progress line when not on a terminal");
        assertTrue(r.out().startsWith("5 object(s), "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().equals("sqs requests           1 SendMessageBatch")), r.out());
        assertEquals(5, mq.depth(queue));
        assertTrue(s3.requestedKeys().isEmpty(), "only listed here; the fleet reads the files");

        MixpanelFake mixpanel = MixpanelFake.start().acceptServiceAccount("sa", "sa-secret", "777");
        try (mixpanel; LogCapture logs = LogCapture.start()) {
            String rejects = mq.createQueue("rejects");
            AwsClients aws = TestAws.clients(Env.of(TestAws.endpoints(mq.endpoint(), null, s3.endpoint())));
            ExportHandler handler = new ExportHandler(new ExportPorts(
                    new MixpanelHttpImport(SharedHttpClient.get(), URI.create(mixpanel.baseUrl()), new MapSecretSource(Map.of(
                            "mp", "{\"service_account_user\":\"sa\",\"service_account_secret\":\"sa-secret\",\"project_id\":\"777\"}")),
                            "mp"),
                    new SqsRejectSink(mq.client(), rejects), new S3ObjectSource(aws.s3ObjectReader())), Env.of(Map.of()));
            SqsLambdaPoller poller = new SqsLambdaPoller(mq.client(), queue);
            for (SQSEvent event = poller.receive(10); !event.getRecords().isEmpty(); event = poller.receive(10)) {
                SQSBatchResponse response = handler.handleRequest(event, null);
                assertEquals(List.of(), response.getBatchItemFailures());
                poller.complete(event, response);
            }
            assertEquals(15, mixpanel.importedUnique(), "5 files of 3 importable opens");
            assertEquals(15.0, logs.metrics().stream().mapToDouble(l -> LogCapture.parseEmf(l).get("EventsExported")).sum());
            assertEquals(0, mq.depth(queue));
            assertEquals(0, mq.depth(rejects));
            assertEquals(KEYS.stream().map(k -> BUCKET + "/" + k).sorted().toList(),
                    s3.requestedKeys().stream().sorted().toList(), "each object read once, by its decoded key");
        }
    }

    @Test
    void aDryRunOnlyCounts() {
        Cli.Result r = enqueue("--dry-run", "s3://" + BUCKET + "/currents/");

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("dry run: would enqueue 5 message(s)"), r.out());
        assertTrue(r.out().contains("in 1 SendMessageBatch request(s)"), r.out());
        assertEquals(0, mq.depth(queue));
        assertTrue(Files.notExists(tmp.resolve("checkpoint.json")));
    }

    @Test
    void anInterruptedRunResumesAfterTheLastObjectSent() throws IOException {
        assertEquals(0, enqueue("s3://" + BUCKET + "/currents/").exitCode());
        List<String> first = mq.drain(queue).stream().map(ExportViaQueueTest::keyOf).sorted().toList();
        assertEquals(KEYS.stream().sorted().toList(), first);
        ObjectNode checkpoint = (ObjectNode) Json.MAPPER.readTree(tmp.resolve("checkpoint.json").toFile());
        assertEquals(5, checkpoint.path("objects").asLong());
        assertTrue(checkpoint.path("complete").asBoolean());

        Cli.Result again = enqueue("s3://" + BUCKET + "/currents/");
        assertTrue(again.out().contains("already enqueued"), again.out());
        assertEquals(0, mq.depth(queue));

        // What a run stopped after its second object leaves behind.
        checkpoint.put("complete", false).put("objects", 2).put("last_object", "s3://" + BUCKET + "/" + KEYS.get(1));
        Files.writeString(tmp.resolve("checkpoint.json"), checkpoint.toString(), StandardCharsets.UTF_8);

        Cli.Result resumed = enqueue("s3://" + BUCKET + "/currents/");

        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming after s3://" + BUCKET + "/" + KEYS.get(1)), resumed.out());
        assertTrue(resumed.out().lines().anyMatch(l -> l.trim().equals("objects enqueued       3 (5 with the earlier run)")),
                resumed.out());
        assertEquals(KEYS.subList(2, 5), mq.drain(queue).stream().map(ExportViaQueueTest::keyOf).sorted().toList());
    }

    @Test
    void credentialsThatExpireMidRunLeaveACheckpointTheNextRunResumesFrom() throws IOException {
        List<String> keys = new java.util.ArrayList<>(KEYS);
        for (int i = 0; i < 20; i++) {
            String key = OPENS + String.format("more-%02d.avro", i);
            s3.put(BUCKET, key, CurrentsFixtures.emailOpenAvro("more" + i, 1, 0, CodecFactory.nullCodec()));
            keys.add(key);
        }
        List<String> sorted = keys.stream().sorted().toList();
        try (SqsCutOff cutOff = new SqsCutOff(mq.endpoint(), 2)) {
            Cli.Result cut = Cli.run(Map.of("AWS_ENDPOINT_URL_S3", s3.endpoint().toString(),
                    "AWS_ENDPOINT_URL_SQS", cutOff.endpoint().toString()), "export", "--via-queue", queue,
                    "--checkpoint", tmp.resolve("checkpoint.json").toString(), "s3://" + BUCKET + "/currents/");

            assertEquals(1, cut.exitCode(), cut.toString());
            assertEquals(1, cut.err().lines().count(), cut.toString());
            assertTrue(cut.err().contains("The security token included in the request is expired")
                    && cut.err().contains("run the same command again to resume"), cut.err());
            assertEquals(1, cutOff.refused(), "a refusal is not retried");
        }
        JsonNode checkpoint = Json.MAPPER.readTree(tmp.resolve("checkpoint.json").toFile());
        assertEquals(20, checkpoint.path("objects").asLong());
        assertEquals("s3://" + BUCKET + "/" + sorted.get(19), checkpoint.path("last_object").asText());
        assertFalse(checkpoint.path("complete").asBoolean());
        assertEquals(20, mq.depth(queue));

        Cli.Result resumed = enqueue("s3://" + BUCKET + "/currents/");

        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("resuming after s3://" + BUCKET + "/" + sorted.get(19)), resumed.out());
        List<String> sent = mq.drain(queue).stream().map(ExportViaQueueTest::keyOf).sorted().toList();
        assertEquals(sorted, sent, "every object once: none lost at the cut, none sent twice");
    }

    @Test
    void localFilesCannotGoViaTheQueue() {
        Cli.Result r = enqueue(tmp.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--via-queue takes s3:// locations only"), r.err());
    }

    @Test
    void anUnknownQueueIsOneLineAndTheCheckpointSaysNothingWasSent() throws IOException {
        queue = mq.endpoint() + "/000000000000/no-such-queue";
        Cli.Result r = enqueue("s3://" + BUCKET + "/currents/");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("bridge export: queue " + queue + ": "), r.err());
        assertTrue(Files.notExists(tmp.resolve("checkpoint.json")));
    }
}
