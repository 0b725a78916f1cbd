package dev.currentsbridge.cli.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SystemAwsKeys;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.aws.ElasticMq;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.local.FileRejectSink;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code bridge rejects} against a rejects queue on ElasticMQ, filled by the export's own {@link SqsRejectSink}
 * (the body shape the Lambda writes), and against local mode's rejects folder written by {@link FileRejectSink}.
 * Replays go to the Mixpanel fake, which validates as Mixpanel does: an event more than an hour in the future is
 * refused again. Checked on the queue afterwards: which messages were deleted by receipt handle, which stay.
 */
class RejectsCommandTest {

    private static final String FAR_FUTURE_ID = "future-1";
    private static final long YEAR_2100 = 4_102_444_800L;

    @TempDir
    Path tmp;
    private final ElasticMq mq = ElasticMq.shared();
    private SystemAwsKeys keys;
    private MixpanelFake mixpanel;
    private Path secret;
    private String queue;

    @BeforeEach
    void setUp() throws IOException {
        keys = SystemAwsKeys.use("test", "test");
        mixpanel = MixpanelFake.start().acceptServiceAccount("sa", "sa-secret", "777");
        secret = tmp.resolve("mixpanel.json");
        Files.writeString(secret, "{\"service_account_user\":\"sa\",\"service_account_secret\":\"sa-secret\",\"project_id\":\"777\"}");
        queue = mq.createQueue("rejects");
    }

    @AfterEach
    void tearDown() {
        mixpanel.close();
        keys.close();
    }

    /** Three replayable Mixpanel rejects (one refused again on replay), one decode reject, one missing S3 object. */
    private static List<RejectedEvent> rejects() {
        String future = CurrentsFixtures.emailOpen(FAR_FUTURE_ID, "user-f").put("event_type", CurrentsFixtures.EMAIL_OPEN)
                .put("time", YEAR_2100).toString();
        return List.of(
                mixpanelReject("m-1", CurrentsFixtures.storageJson("ok-1", "user-1")),
                mixpanelReject("m-1", CurrentsFixtures.storageJson("ok-2", "user-2")),
                mixpanelReject("m-2", future),
                RejectedEvent.malformed("m-3", "decode:not_json", "line is not JSON", null, "sqs", "{broken"),
                RejectedEvent.malformed("m-4", "malformed:s3_object_not_found", "the S3 object does not exist",
                        CurrentsFixtures.EMAIL_OPEN, "s3://bucket/key.avro", "{\"bucket\":\"bucket\",\"key\":\"key.avro\"}"));
    }

    private static RejectedEvent mixpanelReject(String messageId, String original) {
        return new RejectedEvent(messageId, Outcome.REJECTED_BY_MIXPANEL, "mixpanel:project_setting",
                "events older than 5 days need historical import", CurrentsFixtures.EMAIL_OPEN, "sqs", original,
                "{\"event\":\"Email Open\"}");
    }

    private Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_SQS", mq.endpoint().toString());
    }

    private void fillQueue() {
        assertEquals(List.of(), new SqsRejectSink(mq.client(), queue).send(rejects()));
    }

    private List<Message> remaining() {
        return mq.drain(queue);
    }

    private static String reason(Message m) {
        try {
            return Json.MAPPER.readTree(m.body()).path("reason").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listGroupsByReasonAndLeavesEveryMessageVisible() {
        fillQueue();

        Cli.Result r = Cli.run(env(), "rejects", "list", "--queue-url", queue);

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("5 reject(s) in rejects queue " + queue), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("mixpanel:project_setting") && l.contains(" 3  ")
                && l.contains(CurrentsFixtures.EMAIL_OPEN) && l.contains("historical import")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("decode:not_json") && l.contains(" 1  ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("malformed:s3_object_not_found") && l.contains(" 1  ")), r.out());
        assertEquals(5, remaining().size(), "released at once: all visible again");
    }

    @Test
    void showPrintsTheReasonsRejectsWithTheirOriginalEvents() {
        fillQueue();

        Cli.Result r = Cli.run(env(), "rejects", "show", "mixpanel:project_setting", "--limit", "2", "--queue-url", queue);

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("3 reject(s) with reason mixpanel:project_setting (showing 2)"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.trim().startsWith("original:")).count(), r.out());
        assertTrue(r.out().contains("\"event_type\" : \"" + CurrentsFixtures.EMAIL_OPEN + "\""), r.out());
        assertTrue(r.out().contains("historical import"), r.out());
        assertEquals(5, remaining().size());

        Cli.Result unknown = Cli.run(env(), "rejects", "show", "no:such_reason", "--queue-url", queue);
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().startsWith("bridge rejects: no reject with reason or id 'no:such_reason'"), unknown.err());
    }

    @Test
    void replayDeletesWhatMixpanelAcceptedAndKeepsWhatFailsAgainWithItsNewReason() {
        fillQueue();

        Cli.Result r = Cli.run(env(), "rejects", "replay", "--reason", "mixpanel:project_setting", "--queue-url", queue,
                "--mixpanel-secret-file", secret.toString(), "--mixpanel-url", mixpanel.baseUrl(),
                "--logs", tmp.resolve("logs").toString());

        assertEquals(1, r.exitCode(), "one reject is refused again: " + r);
        assertTrue(r.out().contains("replaying 3 reject(s)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("deleted") && l.trim().endsWith("2")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("kept") && l.contains("1   (mixpanel:properties.time: 1)")),
                r.out());
        assertEquals(2, mixpanel.importedUnique());

        List<Message> left = remaining();
        assertEquals(3, left.size(), "the refused one and the two not chosen stay");
        assertEquals(new TreeSet<>(List.of("mixpanel:project_setting", "decode:not_json", "malformed:s3_object_not_found")),
                new TreeSet<>(left.stream().map(RejectsCommandTest::reason).toList()));
        assertTrue(left.stream().anyMatch(m -> m.body().contains(FAR_FUTURE_ID)), "the refused reject keeps its original");
    }

    @Test
    void aDryRunReplaySaysWhatWouldGoAndWhyAnS3ObjectOrABrokenLineCannotBeReplayed() {
        fillQueue();

        Cli.Result r = Cli.run(env(), "rejects", "replay", "--all", "--queue-url", queue,
                "--dry-run", tmp.resolve("dry").toString(), "--logs", tmp.resolve("logs").toString());

        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("replaying 5 reject(s)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("would be deleted") && l.trim().endsWith("2")), r.out());
        assertTrue(r.out().contains("(was mixpanel:project_setting): mixpanel:properties.time"),
                "the dry-run sink validates as Mixpanel does: " + r.out());
        assertTrue(r.out().contains("(was malformed:s3_object_not_found): not_replayable (an S3 object"), r.out());
        assertTrue(r.out().contains("(was decode:not_json): malformed:"), r.out());
        assertTrue(r.out().contains("dry run: nothing deleted"), r.out());
        assertEquals(5, remaining().size(), "a dry run deletes nothing");
    }

    @Test
    void replayNeedsAChoice() {
        fillQueue();
        Cli.Result r = Cli.run(env(), "rejects", "replay", "--queue-url", queue, "--dry-run", tmp.resolve("d").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("choose what to replay"), r.err());
        assertEquals(5, remaining().size());
    }

    @Test
    void localModeRejectsFolderIsRewrittenWithoutTheAcceptedLines() throws IOException {
        Path dir = tmp.resolve("local-out/rejects");
        FileRejectSink sink = new FileRejectSink(dir);
        sink.send(rejects().subList(0, 3));
        sink.send(rejects().subList(3, 5));

        Cli.Result list = Cli.run(Map.of(), "rejects", "list", "--rejects", dir.toString());
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains("5 reject(s) in rejects folder " + dir), list.out());

        Cli.Result r = Cli.run(Map.of(), "rejects", "replay", "--type", CurrentsFixtures.EMAIL_OPEN, "--rejects", dir.toString(),
                "--mixpanel-secret-file", secret.toString(), "--mixpanel-url", mixpanel.baseUrl(),
                "--logs", tmp.resolve("logs").toString());

        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("replaying 4 reject(s)"), "3 Mixpanel rejects and the S3 object of that type: " + r.out());
        assertEquals(2, mixpanel.importedUnique());
        List<JsonNode> left = lines(dir);
        assertEquals(3, left.size(), left.toString());
        assertEquals(List.of("mixpanel:project_setting", "decode:not_json", "malformed:s3_object_not_found"),
                left.stream().map(n -> n.path("reason").asText()).toList());
        assertTrue(left.get(0).path("original").asText().contains(FAR_FUTURE_ID));
    }

    @Test
    void anOriginalWithoutItsTypeIsReplayedWithTheTypeTheOperatorGives() throws IOException {
        Path dir = tmp.resolve("rejects");
        // A storage-form event whose type was in the message attribute, lost with the message.
        new FileRejectSink(dir).send(List.of(RejectedEvent.malformed("m-9", "decode:missing_event_type",
                "no event_type field and no event_type message attribute", null, "sqs",
                CurrentsFixtures.emailOpen("nt-1", "user-nt").toString())));
        List<String> replay = List.of("rejects", "replay", "--reason", "decode:missing_event_type", "--rejects",
                dir.toString(), "--mixpanel-secret-file", secret.toString(), "--mixpanel-url", mixpanel.baseUrl(),
                "--logs", tmp.resolve("logs").toString());

        Cli.Result without = Cli.run(Map.of(), replay.toArray(String[]::new));
        assertEquals(1, without.exitCode(), without.toString());
        assertTrue(without.out().contains("(was decode:missing_event_type): decode:"), without.out());
        assertEquals(1, lines(dir).size());

        List<String> withType = new java.util.ArrayList<>(replay);
        withType.addAll(List.of("--event-type", CurrentsFixtures.EMAIL_OPEN));
        Cli.Result with = Cli.run(Map.of(), withType.toArray(String[]::new));
        assertEquals(0, with.exitCode(), with.toString());
        assertEquals(1, mixpanel.importedUnique());
        assertEquals(List.of(), lines(dir), "accepted: the folder keeps nothing");
    }

    private static List<JsonNode> lines(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".ndjson")).sorted().flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).map(l -> {
                try {
                    return Json.MAPPER.readTree(l);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    @Test
    void noRejectsFolderIsOneLine() {
        Cli.Result r = Cli.run(Map.of(), "rejects", "list", "--rejects", tmp.resolve("nothing").toString());
        assertEquals(1, r.exitCode());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(r.err().startsWith("bridge rejects: no rejects folder "), r.err());
    }
}
