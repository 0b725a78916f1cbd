package dev.currentsbridge.cli.export;

import static dev.currentsbridge.cli.export.ExportOutput.assertCountsAddUp;
import static dev.currentsbridge.cli.export.ExportOutput.assertLine;
import static dev.currentsbridge.cli.export.ExportOutput.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bridge export} on a folder of Currents files, into the dry-run sink. */
class ExportCommandTest {

    private static final String PROFILE = "users.profile.Update";

    @TempDir
    Path tmp;
    Path input;

    @BeforeEach
    void currentsDump() throws IOException {
        input = tmp.resolve("dump");
        // 10 email opens in an Avro file under the S3 key layout (type from event_type=); every 5th has no user.
        Path avro = input.resolve(CurrentsFixtures.s3Key(CurrentsFixtures.EMAIL_OPEN, "7"));
        Files.createDirectories(avro.getParent());
        Files.write(avro, CurrentsFixtures.emailOpenAvro("av", 10, 5, CodecFactory.snappyCodec()));
        // Storage-form NDJSON: 2 good events, a line that is not JSON, one event without event_type.
        Files.writeString(input.resolve("opens.ndjson"), CurrentsFixtures.storageJson("nd-1", "user-nd-1") + "\n"
                + CurrentsFixtures.storageJson("nd-2", "user-nd-2") + "\n"
                + "{not json\n"
                + CurrentsFixtures.emailOpen("nd-3", "user-nd-3") + "\n");
        // An HTTP-connector batch of 3 custom events, pretty-printed.
        Files.writeString(input.resolve("batch.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                        Json.MAPPER.readTree(CurrentsFixtures.httpBatch("hb", 3))));
        // A single storage event, time before 1971: rejected by the mapper.
        Files.writeString(input.resolve("old.json"), CurrentsFixtures.emailOpen("old-1", "user-old")
                .put("event_type", CurrentsFixtures.EMAIL_OPEN).put("time", 5).toString());
        Files.writeString(input.resolve(".hidden.json"), "ignored");
    }

    private Cli.Result export(Path dryRun, String... extra) {
        List<String> args = new ArrayList<>(List.of("export", "--dry-run", dryRun.toString(),
                "--rejects", tmp.resolve("rejects").toString(), "--logs", tmp.resolve("logs").toString()));
        args.addAll(List.of(extra));
        args.add(input.toString());
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void exportsAFolderAndSummarisesByReason() throws IOException {
        Cli.Result r = export(tmp.resolve("out1"));

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().contains("exporting 4 file(s)"), r.out());
        // Avro 10 (2 without user) + NDJSON 4 (1 not JSON, 1 without type) + batch 3 + old 1
        assertLine(r.out(), "events read", "18");
        assertLine(r.out(), "exported", "13");
        assertLine(r.out(), "skipped", "2   (no_external_user_id: 2)");
        assertLine(r.out(), "rejected", "3   (decode:missing_event_type: 1, decode:not_json: 1, invalid:time_before_N-N-N: 1)");
        assertLine(r.out(), "not delivered", "0");
        assertCountsAddUp(r.out());

        List<JsonNode> events = events(tmp.resolve("out1"));
        assertEquals(13, events.size());
        assertEquals(8 + 2, events.stream().filter(e -> e.path("event").asText().equals("Email Open")).count());
        assertTrue(events.stream().anyMatch(e -> e.path("event").asText().equals("[Braze Custom Event] Added To Cart")
                && e.path("properties").path("distinct_id").asText().equals("user-hb-1")));
        assertEquals(3, rejectLines().size());
    }

    @Test
    void selectedProfileUpdatesAreWrittenAsEngageBodiesBesideTheImportOnes() throws IOException {
        Files.writeString(input.resolve("profiles.ndjson"), CurrentsSamples.storageSample(PROFILE)
                .put("event_type", PROFILE) + "\n");
        Cli.Result r = export(tmp.resolve("out"), "--event-types", "default," + PROFILE);

        assertEquals(0, r.exitCode(), r.toString());
        assertLine(r.out(), "exported", "14");
        assertCountsAddUp(r.out());
        assertEquals(13, events(tmp.resolve("out")).size(), "the profile update is not an /import event");
        List<String> updates = ExportOutput.profileUpdates(tmp.resolve("out"));
        assertEquals(1, updates.size());
        JsonNode update = Json.MAPPER.readTree(updates.getFirst());
        assertEquals("local-dry-run", update.get("$token").asText());
        assertEquals("user-01101", update.get("$distinct_id").asText());
        assertEquals("Jane", update.get("$set").get("$first_name").asText());

        Cli.Result without = export(tmp.resolve("out2"));
        assertLine(without.out(), "skipped", "3   (no_external_user_id: 2, type_not_selected: 1)");
        assertEquals(List.of(), ExportOutput.profileUpdates(tmp.resolve("out2")));
    }

    @Test
    void reRunningSendsTheSameInsertIdsSoMixpanelDeduplicates() throws IOException {
        assertEquals(0, export(tmp.resolve("run1")).exitCode());
        assertEquals(0, export(tmp.resolve("run2"), "--concurrency", "1").exitCode());
        Set<String> first = insertIds(tmp.resolve("run1"));
        assertEquals(13, first.size());
        assertEquals(first, insertIds(tmp.resolve("run2")));
    }

    @Test
    void unreadableAvroIsOneLineAndNonZeroAfterTheOtherFiles() throws IOException {
        byte[] good = CurrentsFixtures.emailOpenAvro("cut", 50, 0, CodecFactory.nullCodec());
        Path broken = input.resolve("broken.avro");
        Files.write(broken, new byte[] {'O', 'b', 'j', 1, 0x13, 0x7f, 0x00});
        Cli.Result r = export(tmp.resolve("out"));
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("unreadable file " + broken), r.toString());
        assertLine(r.out(), "exported", "13");
        assertTrue(good.length > 0);
    }

    @Test
    void missingInputIsOneLine() {
        Cli.Result r = Cli.run("export", "--dry-run", tmp.resolve("o").toString(), "--logs", tmp.resolve("logs").toString(),
                tmp.resolve("nope").toString());
        assertEquals(1, r.exitCode());
        assertEquals("bridge export: no such file or directory: " + tmp.resolve("nope") + "\n", r.err());
    }

    @Test
    void aMalformedS3LocationIsOneLine() {
        Cli.Result r = Cli.run("export", "--dry-run", tmp.resolve("o").toString(), "--logs", tmp.resolve("logs").toString(),
                "s3://");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("bridge export: not an S3 location: s3:// (expected s3://bucket/prefix)\n", r.err());
    }

    @Test
    void targetMustBeChosen() {
        Cli.Result r = Cli.run("export", input.toString());
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("--dry-run DIR, or --mixpanel-secret-file FILE"), r.err());
    }

    @Test
    void badEventSelectionIsOneLine() {
        Cli.Result r = export(tmp.resolve("o"), "--event-types", "users.no.Such");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("event selection"), r.err());
    }

    @Test
    void unreachableMixpanelIsReportedAsNotDelivered() throws IOException {
        Path secret = tmp.resolve("mp.json");
        Files.writeString(secret, "{\"api_secret\":\"s\"}");
        Cli.Result r = Cli.run("export", "--mixpanel-secret-file", secret.toString(), "--mixpanel-url",
                "http://127.0.0.1:9", "--max-attempts", "1", "--rejects", tmp.resolve("rejects").toString(),
                "--logs", tmp.resolve("logs").toString(),
                input.resolve("batch.json").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("3 event(s) not delivered (mixpanel_unreachable: 3); run the same command again"),
                r.toString());
    }

    private List<String> rejectLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp.resolve("rejects"))) {
            for (Path p : s.toList()) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        return lines;
    }

    private static Set<String> insertIds(Path dir) throws IOException {
        return ExportOutput.insertIds(events(dir));
    }
}
