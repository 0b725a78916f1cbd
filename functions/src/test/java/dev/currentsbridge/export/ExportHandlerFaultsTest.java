package dev.currentsbridge.export;

import static dev.currentsbridge.standins.fixtures.CurrentsFixtures.EMAIL_OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.time.LambdaTime;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.mixpanel.MixpanelFake.Fault;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Injected Mixpanel, S3, SQS and deadline faults through {@link ExportHandler}, with real clients. */
class ExportHandlerFaultsTest {

    private ExportHarness h;
    private LambdaTime time;

    @BeforeEach
    void setUp() {
        h = new ExportHarness(false);
        time = new LambdaTime(Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void sendStorage(int n, String prefix) {
        for (int i = 0; i < n; i++) {
            h.send(CurrentsFixtures.storageJson(prefix + "-" + i, "user-" + prefix + "-" + i));
        }
    }

    @Test
    void rateLimitAndServerErrorsAreRetriedWithBackoffHonouringRetryAfter() {
        sendStorage(3, "r");
        h.mixpanel.enqueue(Fault.rateLimited(7), Fault.status(503));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(3);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(3, h.mixpanel.imported().size());
        List<Duration> sleeps = time.sleeps();
        assertEquals(2, sleeps.size());
        assertEquals(Duration.ofSeconds(7), sleeps.get(0), "Retry-After wins");
        assertTrue(sleeps.get(1).toMillis() >= 5_000 && sleeps.get(1).toMillis() <= 9_000,
                "second retry: 4 s plus 1-5 s jitter, was " + sleeps.get(1));
        assertEquals(2, inv.metric("MixpanelRetries"));
    }

    @Test
    void persistentServerErrorsReturnTheMessagesBeforeTheDeadline() {
        sendStorage(2, "d");
        for (int i = 0; i < 30; i++) {
            h.mixpanel.enqueue(Fault.status(502));
        }
        LambdaTime shortTime = new LambdaTime(Duration.ofSeconds(40));
        ExportHandler handler = h.handler(shortTime);

        ExportHarness.Invocation inv = h.invoke(handler, shortTime.restart());

        inv.assertAccountedFor(2);
        assertEquals(2, inv.failedMessageIds().size());
        assertEquals(2, inv.metric("EventsReturned"));
        assertEquals(0, h.mixpanel.imported().size());
        assertTrue(shortTime.remainingMillis() >= 5_000 - 1_000, "stopped with the reserve left, remaining "
                + shortTime.remainingMillis());
        assertEquals(2, h.sqs.depth(h.exportQueue), "returned messages are back in the queue");
        assertEquals(List.of(), h.rejects(), "transient failures are never rejects");
    }

    @Test
    void deadlineReachedMidInvocationReturnsOnlyTheUnfinishedMessage() {
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "big");
        h.s3.put(ExportHarness.BUCKET, key, CurrentsFixtures.emailOpenAvro("big", 2000, 0, CodecFactory.snappyCodec()));
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));
        h.send(CurrentsFixtures.storageJson("late-1", "user-late-1"));
        h.mixpanel.enqueue(Fault.slow(Duration.ZERO));
        for (int i = 0; i < 20; i++) {
            h.mixpanel.enqueue(Fault.status(503));
        }
        LambdaTime t = new LambdaTime(Duration.ofSeconds(20));
        ExportHandler handler = h.handler(Map.of("MIXPANEL_CONCURRENCY", "1"), t);
        handler.beforeCheckpoint(null);

        ExportHarness.Invocation inv = h.invoke(handler, t.restart());

        inv.assertAccountedFor(2001);
        assertEquals(2000, h.mixpanel.imported().size());
        assertEquals(1, inv.metric("EventsReturned"));
        assertEquals(List.of(inv.messageIds().get(1)), inv.failedMessageIds());
        assertEquals(1, h.sqs.depth(h.exportQueue));
    }

    @Test
    void noTimeLeftReturnsEveryMessageUnread() {
        sendStorage(2, "n");
        LambdaTime t = new LambdaTime(Duration.ofSeconds(3));

        ExportHarness.Invocation inv = h.invoke(h.handler(t), t);

        assertEquals(2, inv.failedMessageIds().size());
        assertEquals(0, inv.metric("EventsReceived"));
        assertEquals(0, h.mixpanel.requests().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"413", "400-too-large"})
    void sizeErrorsSplitTheBatchAndResend(String kind) {
        h.send(CurrentsFixtures.httpBatch("z", 10));
        h.mixpanel.enqueue("413".equals(kind) ? Fault.status(413) : Fault.bodyTooLarge400());

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(10);
        assertEquals(10, h.mixpanel.imported().size());
        List<MixpanelFake.Request> requests = h.mixpanel.requests();
        assertEquals(3, requests.size(), "one refused request, then two halves");
        assertEquals("413".equals(kind) ? 413 : 400, requests.get(0).status());
        assertEquals(List.of(5, 5), requests.subList(1, 3).stream().map(MixpanelFake.Request::events).toList());
        assertEquals(1, inv.metric("MixpanelSplits"));
    }

    @Test
    void aBodyOverTheFakesLimitIsSplitUntilItFits() {
        h.send(CurrentsFixtures.httpBatch("b", 16));
        h.mixpanel.maxBodyBytes(2_000);

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(16);
        assertEquals(16, h.mixpanel.imported().size());
        assertTrue(h.mixpanel.requests().stream().anyMatch(r -> r.status() == 413));
        assertTrue(h.mixpanel.requests().stream().filter(r -> r.status() == 200)
                .allMatch(r -> r.uncompressedBytes() <= 2_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"insert_id", "$insert_id"})
    void failedRecordsOfAPartial400AreRejectedWithMixpanelsReasonAndTheRestImported(String idKey) {
        h.mixpanel.failedRecordIdKey(idKey);
        long future = Instant.now().plus(Duration.ofHours(3)).getEpochSecond();
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(CurrentsFixtures.httpCustomEvent("p-" + i, "user-p-" + i,
                    i == 1 || i == 4 ? future : CurrentsFixtures.TIME));
        }
        h.send(CurrentsFixtures.httpBatch(events));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(6);
        assertEquals(List.of(), inv.failedMessageIds(), "rejects are final: the message is done");
        assertEquals(4, h.mixpanel.imported().size());
        List<JsonNode> rejects = h.rejects();
        assertEquals(2, rejects.size());
        Set<String> ids = new HashSet<>();
        for (JsonNode r : rejects) {
            assertEquals("rejected_by_mixpanel", r.path("outcome").asText());
            assertEquals("mixpanel:properties.time", r.path("reason").asText());
            assertTrue(r.path("detail").asText().contains("future"), r.toString());
            ids.add(r.path("original").path("id").asText());
            assertEquals(r.path("original").path("id").asText(),
                    r.path("mixpanel_event").path("properties").path("$insert_id").asText());
        }
        assertEquals(Set.of("p-1", "p-4"), ids);
        assertEquals(2, inv.metric("Rejected.mixpanel:properties.time"));
        assertEquals(1, h.mixpanel.requests().size(), "a partial 400 is never retried");
    }

    @Test
    void injectedFailedIndexesAreRejectedByIndex() {
        h.send(CurrentsFixtures.httpBatch("i", 5));
        h.mixpanel.enqueue(Fault.failIndexes(0, 3));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(5);
        assertEquals(3, h.mixpanel.imported().size());
        Set<String> ids = new HashSet<>();
        h.rejects().forEach(r -> ids.add(r.path("original").path("id").asText()));
        assertEquals(Set.of("i-0", "i-3"), ids);
    }

    @Test
    void a401ReReadsRotatedCredentialsOnceAndSucceeds() {
        ExportHandler handler = h.handler(time);
        sendStorage(1, "before");
        h.invoke(handler, time).assertAccountedFor(1);
        assertEquals(1, h.secrets.reads(ExportHarness.SECRET_ID), "credentials are cached per container");

        h.secrets.put(ExportHarness.SECRET_ID, ExportHarness.serviceAccountSecret("rotated", "new-secret", "31337"));
        h.mixpanel.revokeAll().acceptServiceAccount("rotated", "new-secret", "31337");
        sendStorage(1, "after");
        ExportHarness.Invocation inv = h.invoke(handler, time);

        inv.assertAccountedFor(1);
        assertEquals(List.of(), inv.failedMessageIds());
        assertEquals(2, h.mixpanel.imported().size());
        assertEquals(2, h.secrets.reads(ExportHarness.SECRET_ID));
    }

    @Test
    void wrongCredentialsFailTheWholeBatchAsAConfigurationError() {
        h.mixpanel.revokeAll();
        sendStorage(3, "w");

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(3);
        assertEquals(3, inv.failedMessageIds().size());
        assertEquals(3, inv.metric("EventsReturned"));
        assertEquals(2, h.secrets.reads(ExportHarness.SECRET_ID), "re-read once after the 401, not more");
        assertEquals(List.of(), h.rejects());
        assertTrue(h.logs.stream().anyMatch(l -> l.contains("configuration problem") && l.contains("mixpanel_401")));
    }

    @Test
    void aSecretsManagerOutageIsRetriedAndAMissingSecretIsAConfigurationError() {
        h.secrets.failNext(4, 500, "InternalServiceError");
        sendStorage(1, "sm");

        ExportHarness.Invocation outage = h.invoke(h.handler(time), time);

        outage.assertAccountedFor(1);
        assertEquals(1, h.mixpanel.imported().size());
        assertTrue(outage.metric("MixpanelRetries") >= 1);

        h.secrets.remove(ExportHarness.SECRET_ID);
        sendStorage(1, "sm2");
        ExportHarness.Invocation missing = h.invoke(h.handler(time), time);

        missing.assertAccountedFor(1);
        assertEquals(1, missing.failedMessageIds().size());
        assertTrue(h.logs.stream().anyMatch(l -> l.contains("mixpanel_credentials_invalid")));
    }

    @Test
    void anOnDemandInitReadsTheSecretInTheBackgroundOnceAndTheFirstBatchUsesIt() throws InterruptedException {
        ExportHandler handler = h.handler(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"), time);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (h.secrets.reads(ExportHarness.SECRET_ID) == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, h.secrets.reads(ExportHarness.SECRET_ID), "read during init, before any request");
        sendStorage(1, "od");

        ExportHarness.Invocation inv = h.invoke(handler, time);

        inv.assertAccountedFor(1);
        assertEquals(1, h.mixpanel.imported().size());
        assertEquals(1, h.secrets.reads(ExportHarness.SECRET_ID), "the batch used the prefetched value");
    }

    @Test
    void aFailedPrefetchIsReadAgainByTheFirstBatch() {
        h.secrets.failNext(3, 500, "InternalServiceError"); // the prefetch's three attempts
        ExportHandler handler = h.handler(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"), time);
        sendStorage(1, "pf");

        ExportHarness.Invocation inv = h.invoke(handler, time);

        inv.assertAccountedFor(1);
        assertEquals(1, h.mixpanel.imported().size());
        assertEquals(4, h.secrets.requests(), "three failed attempts in the background, one read by the batch");
    }

    @Test
    void aSnapStartInitReadsNoSecretBeforeTheFirstBatch() {
        ExportHandler handler = h.handler(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"), time);
        handler.beforeCheckpoint(null);
        assertEquals(0, h.secrets.requests(), "nothing secret may be in the snapshot");
        sendStorage(1, "ss");

        h.invoke(handler, time).assertAccountedFor(1);
        assertEquals(1, h.secrets.reads(ExportHarness.SECRET_ID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api_secret", "project_token"})
    void projectSecretAndTokenAuthSendNoProjectId(String kind) {
        h.secrets.put(ExportHarness.SECRET_ID, Json.MAPPER.createObjectNode().put(kind, "value-" + kind).toString());
        h.mixpanel.acceptUsername("value-" + kind);
        sendStorage(1, kind);

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(1);
        assertEquals(1, h.mixpanel.imported().size());
        assertNull(h.mixpanel.requests().get(0).projectId());
        assertEquals("value-" + kind, h.mixpanel.requests().get(0).authUser());
    }

    @Test
    void anUnavailableRejectsQueueReturnsTheMessageInsteadOfDroppingTheReject() {
        String gone = h.sqs.createQueue("gone");
        h.sqs.deleteQueue(gone);
        h.send("not json");
        h.send(CurrentsFixtures.storageJson("fine-1", "user-fine-1"));

        ExportHarness.Invocation inv = h.invoke(h.handler(Map.of("REJECTS_QUEUE_URL", gone), time), time);

        inv.assertAccountedFor(2);
        assertEquals(1, inv.failedMessageIds().size());
        assertEquals(1, inv.metric("EventsReturned"));
        assertEquals(1, inv.metric("EventsExported"));
    }

    @Test
    void anUnreadableS3ObjectReturnsTheMessage() {
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "flaky");
        h.s3.put(ExportHarness.BUCKET, key, CurrentsFixtures.emailOpenAvro("f", 3, 0, CodecFactory.nullCodec()));
        h.s3.failNext(403, 403, 403, 403);
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(1);
        assertEquals(1, inv.failedMessageIds().size());
        assertEquals(0, h.mixpanel.imported().size());
    }

    @Test
    void aDownloadThatStallsMidFileIsAbandonedBeforeTheDeadlineAndTheMessageReturned() {
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "stall");
        byte[] file = CurrentsFixtures.emailOpenAvro("stall", 10_000, 0, CodecFactory.nullCodec());
        h.s3.putStalledDownload(ExportHarness.BUCKET, key, file, file.length * 6 / 10);
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));
        LambdaTime t = new LambdaTime(Duration.ofSeconds(9));
        ExportHandler handler = h.handler(t);
        handler.beforeCheckpoint(null); // class loading must not eat the 9 s budget

        ExportHarness.Invocation inv = h.invoke(handler, t.restart());

        assertEquals(inv.messageIds(), inv.failedMessageIds());
        assertEquals(List.of(), h.rejects(), "a stalled download is not a malformed file");
        assertTrue(t.remainingMillis() > 0, "answered before the deadline, remaining " + t.remainingMillis());
        assertEquals(inv.metric("EventsReceived"), inv.metric("EventsExported") + inv.metric("EventsReturned"));
        assertTrue(inv.metric("EventsExported") > 0, "full batches that arrived before the stall were delivered " + inv.metrics());
    }

    @Test
    void aLargeFileStreamsThroughInBatchesOfAtMost2000() {
        int n = 12_000;
        String key = CurrentsFixtures.s3Key(EMAIL_OPEN, "large");
        h.s3.putStream(ExportHarness.BUCKET, key, () -> generated("L", n));
        h.send(CurrentsFixtures.s3Notification(ExportHarness.BUCKET, key));

        ExportHarness.Invocation inv = h.invoke(h.handler(time), time);

        inv.assertAccountedFor(n);
        assertEquals(n, h.mixpanel.importedUnique());
        assertTrue(h.mixpanel.requests().stream().allMatch(r -> r.events() <= 2000));
        assertEquals(6, h.mixpanel.requests().size());
    }

    private static java.io.InputStream generated(String prefix, int n) {
        try {
            PipedInputStream in = new PipedInputStream(64 * 1024);
            PipedOutputStream out = new PipedOutputStream(in);
            Thread.ofVirtual().start(() -> {
                try (out) {
                    CurrentsFixtures.writeEmailOpenAvro(out, prefix, n, 0, CodecFactory.deflateCodec(1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return in;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void snapStartPrimingWarmsUpWithoutAnyTraffic() {
        ExportHandler handler = h.handler(time);

        handler.beforeCheckpoint(null);

        assertEquals(0, h.mixpanel.requests().size());
        assertEquals(0, h.secrets.requests());
        assertEquals(List.of(), h.s3.requestedKeys());
        assertEquals(0, h.sqs.depth(h.rejectsQueue));
        sendStorage(1, "primed");
        h.invoke(handler, time).assertAccountedFor(1);
        assertEquals(1, h.mixpanel.imported().size());
    }
}
