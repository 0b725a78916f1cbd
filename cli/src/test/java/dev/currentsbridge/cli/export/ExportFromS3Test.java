package dev.currentsbridge.cli.export;

import static dev.currentsbridge.cli.export.ExportOutput.assertCountsAddUp;
import static dev.currentsbridge.cli.export.ExportOutput.assertLine;
import static dev.currentsbridge.cli.export.ExportOutput.events;
import static dev.currentsbridge.cli.export.ExportOutput.insertIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SystemAwsKeys;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.aws.S3Stub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge export s3://bucket/prefix} end to end: the cli's own S3 client (built from
 * {@code AWS_ENDPOINT_URL_S3}, path style, the default credentials chain) lists the loopback {@link S3Stub} over
 * several ListObjectsV2 pages and reads each object with a signed GET; events go to the dry-run sink or to the
 * Mixpanel fake. The stub answers only requests signed with the test key.
 */
class ExportFromS3Test {

    private static final String BUCKET = "currents-bucket";
    private static final String ROOT = "currents/dataexport.prod-01.S3.integration.abc123/";
    private static final String OPENS = ROOT + "event_type=" + CurrentsFixtures.EMAIL_OPEN + "/date=2026-11-28-22/";
    /** Currents' own key shape: '=' in the folders, '+' in the name; spaces added for the encoding's sake. */
    private static final String AVRO_1 = OPENS + "321/ab/dataexport.prod-01.S3.integration.abc123+0+part 1.avro";
    private static final String AVRO_2 = OPENS + "321/ab/dataexport.prod-01.S3.integration.abc123+0+part 2.avro";
    private static final String OPENS_JSON = OPENS + "storage export 1.json";
    private static final String BATCH = ROOT + "http connector/batch=1 of 1.json";
    private static final String FOLDER_MARKER = ROOT + "empty folder/";
    private static final List<String> FILES = List.of(AVRO_1, AVRO_2, OPENS_JSON, BATCH);

    @TempDir
    Path tmp;
    private S3Stub s3;
    private SystemAwsKeys keys;

    @BeforeEach
    void bucket() {
        s3 = S3Stub.start().pageSize(2);
        // 10 opens, every 5th without an external id (skipped by rule, as Braze's connector does).
        s3.put(BUCKET, AVRO_1, CurrentsFixtures.emailOpenAvro("s3a", 10, 5, CodecFactory.snappyCodec()));
        s3.put(BUCKET, AVRO_2, CurrentsFixtures.emailOpenAvro("s3b", 5, 0, CodecFactory.deflateCodec(6)));
        // Storage-form NDJSON without event_type in the bodies: the type comes from the key's event_type= folder.
        s3.put(BUCKET, OPENS_JSON, (CurrentsFixtures.emailOpen("s3j-1", "user-s3j-1") + "\n"
                + CurrentsFixtures.emailOpen("s3j-2", "user-s3j-2") + "\n"
                + CurrentsFixtures.emailOpen("s3j-3", "user-s3j-3") + "\n").getBytes(StandardCharsets.UTF_8));
        // A pretty-printed HTTP-connector batch: read twice (first line is not a whole document), so two GETs.
        s3.put(BUCKET, BATCH, pretty(CurrentsFixtures.httpBatch("s3h", 4)));
        s3.put(BUCKET, FOLDER_MARKER, new byte[0]);
        s3.put(BUCKET, "currents-archive/old.avro", CurrentsFixtures.emailOpenAvro("old", 3, 0, CodecFactory.nullCodec()));
        keys = SystemAwsKeys.use("test", "test");
    }

    @AfterEach
    void stop() {
        keys.close();
        s3.close();
    }

    private static byte[] pretty(String json) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    }

    private Cli.Result dryRun(Path out, String location) {
        return Cli.run(env(), "export", "--dry-run", out.toString(), "--rejects", tmp.resolve("rejects").toString(),
                "--logs", tmp.resolve("logs").toString(), location);
    }

    @Test
    void dryRunExportsEveryObjectOfThePrefixAcrossListPages() throws IOException {
        Cli.Result r = dryRun(tmp.resolve("out"), "s3://" + BUCKET + "/currents/");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().contains("exporting 4 file(s)"), r.out());
        // Avro 10 (2 without user) + Avro 5 + NDJSON 3 + batch 4
        assertLine(r.out(), "files read", "4");
        assertLine(r.out(), "events read", "22");
        assertLine(r.out(), "exported", "20");
        assertLine(r.out(), "skipped", "2   (no_external_user_id: 2)");
        assertLine(r.out(), "rejected", "0");
        assertLine(r.out(), "not delivered", "0");
        assertCountsAddUp(r.out());

        // 5 keys under currents/ (4 files and the folder marker) in pages of 2; nothing outside the prefix.
        assertEquals(3, s3.listRequests());
        assertEquals(new TreeSet<>(FILES.stream().map(k -> BUCKET + "/" + k).toList()), new TreeSet<>(s3.requestedKeys()));
        assertEquals(List.of(BUCKET + "/" + BATCH, BUCKET + "/" + BATCH),
                s3.requestedKeys().stream().filter(k -> k.endsWith(BATCH)).toList());

        List<JsonNode> events = events(tmp.resolve("out"));
        assertEquals(20, events.size());
        assertEquals(8 + 5 + 3, events.stream().filter(e -> e.path("event").asText().equals("Email Open")).count());
        assertEquals(4, events.stream().filter(e -> e.path("event").asText().equals("[Braze Custom Event] Added To Cart")).count());
        assertTrue(events.stream().anyMatch(e -> e.path("properties").path("distinct_id").asText().equals("user-s3j-2")));
        assertEquals(20, insertIds(events).size());
    }

    @Test
    void exportsIntoMixpanelWithTheSameInsertIdsAsTheDryRun() throws IOException {
        assertEquals(0, dryRun(tmp.resolve("dry"), "s3://" + BUCKET + "/currents/").exitCode());
        Path secret = tmp.resolve("mixpanel.json");
        Files.writeString(secret, "{\"service_account_user\":\"sa\",\"service_account_secret\":\"sa-secret\",\"project_id\":\"777\"}");
        try (MixpanelFake mixpanel = MixpanelFake.start().acceptServiceAccount("sa", "sa-secret", "777")) {
            Cli.Result r = Cli.run(env(), "export", "--mixpanel-secret-file", secret.toString(),
                    "--mixpanel-url", mixpanel.baseUrl(), "--rejects", tmp.resolve("rejects").toString(),
                    "--logs", tmp.resolve("logs").toString(), "s3://" + BUCKET + "/currents/");

            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("", r.err());
            assertLine(r.out(), "events read", "22");
            assertLine(r.out(), "exported", "20");
            assertCountsAddUp(r.out());
            assertEquals(20, mixpanel.importedUnique());
            assertEquals(insertIds(events(tmp.resolve("dry"))), mixpanel.importedInsertIds());
            assertTrue(mixpanel.requests().stream().allMatch(q -> q.status() == 200 && "777".equals(q.projectId())),
                    mixpanel.requests().toString());
        }
    }

    @Test
    void aPrefixSelectsASubset() {
        Cli.Result r = dryRun(tmp.resolve("out"), "s3://" + BUCKET + "/" + OPENS);

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("exporting 3 file(s)"), r.out());
        assertLine(r.out(), "events read", "18");
        assertLine(r.out(), "exported", "16");
        assertCountsAddUp(r.out());
        assertEquals(new TreeSet<>(List.of(BUCKET + "/" + AVRO_1, BUCKET + "/" + AVRO_2, BUCKET + "/" + OPENS_JSON)),
                new TreeSet<>(s3.requestedKeys()));
        assertEquals(2, s3.listRequests(), "3 keys in pages of 2");
    }

    @Test
    void aPrefixWithNoObjectsIsOneLine() {
        Cli.Result r = dryRun(tmp.resolve("out"), "s3://" + BUCKET + "/currents/nothing-here/");
        assertOneLine(r, "bridge export: no objects under s3://" + BUCKET + "/currents/nothing-here/");
    }

    @Test
    void anUnknownBucketIsOneLineAndNonZero() {
        Cli.Result r = dryRun(tmp.resolve("out"), "s3://no-such-bucket/currents/");
        assertOneLine(r, "bridge export: cannot list s3://no-such-bucket/currents/: The specified bucket does not exist");
        assertEquals("", r.out());
        assertTrue(s3.requestedKeys().isEmpty());
    }

    @Test
    void requestsSignedWithAnotherKeyAreRefusedAndReportedInOneLine() {
        keys.close();
        try (SystemAwsKeys wrong = SystemAwsKeys.use("test", "not-the-secret")) {
            Cli.Result r = dryRun(tmp.resolve("out"), "s3://" + BUCKET + "/currents/");
            assertOneLine(r, "bridge export: cannot list s3://" + BUCKET + "/currents/: The request signature we calculated does not match");
        }
        assertEquals(1, s3.rejectedSignatures());
    }

    @Test
    void anObjectThatVanishesAfterListingIsThatFilesReadErrorAndTheRestIsExported() throws IOException {
        s3.vanishAfterListed(BUCKET, AVRO_2);

        Cli.Result r = dryRun(tmp.resolve("out"), "s3://" + BUCKET + "/currents/");

        assertOneLine(r, "bridge export: unreadable file s3://" + BUCKET + "/" + AVRO_2
                + ": cannot read: s3 GetObject failed: The specified key does not exist.");
        assertTrue(r.out().contains("exporting 4 file(s)"), r.out());
        assertLine(r.out(), "files read", "3 (1 unreadable)");
        assertLine(r.out(), "events read", "17");
        assertLine(r.out(), "exported", "15");
        assertLine(r.out(), "skipped", "2   (no_external_user_id: 2)");
        assertCountsAddUp(r.out());
        assertEquals(15, events(tmp.resolve("out")).size());
        assertTrue(s3.requestedKeys().contains(BUCKET + "/" + AVRO_2), "it was asked for, and answered NoSuchKey");
    }

    private static void assertOneLine(Cli.Result r, String start) {
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith(start), r.toString());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
    }
}
