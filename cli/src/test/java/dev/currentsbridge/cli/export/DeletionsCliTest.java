package dev.currentsbridge.cli.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --forward-deletions} in {@code bridge export --state DIR} and {@code bridge local}: events of a user, then
 * its delete request (a deletion-*.json body naming the external id in the dry run), then its later events skipped
 * as {@code deleted_user}, each step a new process over the same state directory.
 */
class DeletionsCliTest {

    @TempDir
    Path tmp;

    static String event(String type, String id, String brazeId, String externalId) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("event_type", type).put("id", id).put("user_id", brazeId)
                .put("time", 1_700_000_000L);
        if (externalId != null) {
            o.put("external_user_id", externalId).put("campaign_id", "c1").put("send_id", "s1");
        }
        return o.toString();
    }

    static final String OPEN = "users.messages.email.Open";
    static final String DELETE = "users.UserDeleteRequest";

    private Path dir(String name, String... events) throws IOException {
        Path d = tmp.resolve("in").resolve(name);
        Files.createDirectories(d);
        for (int i = 0; i < events.length; i++) {
            Files.writeString(d.resolve("e" + i + ".json"), events[i]);
        }
        return d;
    }

    private Cli.Result export(Path input) {
        return Cli.run("export", "--dry-run", tmp.resolve("out").toString(), "--forward-deletions",
                "--state", tmp.resolve("state").toString(), "--rejects", tmp.resolve("rejects").toString(),
                "--logs", tmp.resolve("logs").toString(), input.toString());
    }

    static List<Path> deletionFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("deletion-\\d+\\.json")).sorted().toList();
        }
    }

    static long linesNaming(Path dir, String distinctId) throws IOException {
        long n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("deletion-"))
                    .toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.contains("\"distinct_id\":\"" + distinctId + "\"")) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    @Test
    void bridgeExportKeepsTheMapAndTheSuppressionListInItsStateDirectory() throws IOException {
        Cli.Result first = export(dir("1", event(OPEN, "e1", "b-1", "ext-del-1"), event(OPEN, "e2", "b-2", "ext-keep-2")));
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(Files.exists(tmp.resolve("state/identity-map.jsonl")));

        Cli.Result second = export(dir("2", event(DELETE, "d1", "b-1", null), event(DELETE, "d2", "b-unknown", null)));
        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(second.out().contains("deletion_requested: 1"), second.out());
        assertTrue(second.out().contains("deletion_unknown_user: 1"), second.out());
        assertTrue(second.out().contains("deletion request bodies written"), second.out());
        List<Path> bodies = deletionFiles(tmp.resolve("out"));
        assertEquals(1, bodies.size());
        JsonNode body = Json.MAPPER.readTree(bodies.get(0).toFile());
        assertEquals("[\"ext-del-1\"]", body.path("distinct_ids").toString());
        assertEquals("GDPR", body.path("compliance_type").asText());

        Cli.Result third = export(dir("3", event(OPEN, "e3", "b-1", "ext-del-1"), event(OPEN, "e4", "b-2", "ext-keep-2")));
        assertEquals(0, third.exitCode(), third.toString());
        assertTrue(third.out().contains("deleted_user: 1"), third.out());
        assertEquals(1, linesNaming(tmp.resolve("out"), "ext-del-1"), "only the event before the deletion");
        assertEquals(2, linesNaming(tmp.resolve("out"), "ext-keep-2"));
        assertEquals(1, deletionFiles(tmp.resolve("out")).size());
    }

    @Test
    void withoutTheFlagNothingIsForwardedOrKept() throws IOException {
        Cli.Result r = Cli.run("export", "--dry-run", tmp.resolve("out").toString(), "--state",
                tmp.resolve("state").toString(), "--rejects", tmp.resolve("rejects").toString(), "--logs",
                tmp.resolve("logs").toString(), dir("1", event(OPEN, "e1", "b-1", "ext-1"),
                        event(DELETE, "d1", "b-1", null)).toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(deletionFiles(tmp.resolve("out")).isEmpty());
        assertTrue(!Files.exists(tmp.resolve("state/identity-map.jsonl")));
    }

    @Test
    void aRealTargetWithoutGdprFieldsIsOneLine() throws IOException {
        Path secret = tmp.resolve("mixpanel.json");
        Files.writeString(secret, "{\"api_secret\":\"s\"}");
        Cli.Result r = Cli.run("export", "--mixpanel-secret-file", secret.toString(), "--mixpanel-url",
                "http://127.0.0.1:9", "--forward-deletions", "--state", tmp.resolve("state").toString(),
                dir("1", event(OPEN, "e1", "b-1", "ext-1")).toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("gdpr_oauth_token"), r.toString());
    }

    private String[] local(Path replay) {
        List<String> args = new ArrayList<>(List.of("local", "--port", "0", "--state", tmp.resolve("lstate").toString(),
                "--out", tmp.resolve("lout").toString(), "--template", Cli.TEMPLATE.toString(),
                "--s3-root", tmp.resolve("s3").toString(), "--forward-deletions", "--replay", replay.toString(),
                "--exit-after-replay"));
        return args.toArray(String[]::new);
    }

    @Test
    void localModeForwardsAcrossRestarts() throws IOException {
        Cli.Result first = Cli.run(local(dir("l1", event(OPEN, "e1", "b-1", "ext-del-1"),
                event(OPEN, "e2", "b-2", "ext-keep-2"))));
        assertEquals(0, first.exitCode(), first.toString());
        Cli.Result second = Cli.run(local(dir("l2", event(DELETE, "d1", "b-1", null))));
        assertEquals(0, second.exitCode(), second.toString());
        List<Path> bodies = deletionFiles(tmp.resolve("lout/mixpanel"));
        assertEquals(1, bodies.size(), second.toString());
        assertEquals("[\"ext-del-1\"]", Json.MAPPER.readTree(bodies.get(0).toFile()).path("distinct_ids").toString());

        Cli.Result third = Cli.run(local(dir("l3", event(OPEN, "e3", "b-1", "ext-del-1"),
                event(OPEN, "e4", "b-2", "ext-keep-2"))));
        assertEquals(0, third.exitCode(), third.toString());
        assertEquals(1, linesNaming(tmp.resolve("lout/mixpanel"), "ext-del-1"), third.toString());
        assertEquals(2, linesNaming(tmp.resolve("lout/mixpanel"), "ext-keep-2"), third.toString());
        assertTrue(Files.readString(tmp.resolve("lstate/suppressed.jsonl")).contains("ext-del-1"));
    }
}
