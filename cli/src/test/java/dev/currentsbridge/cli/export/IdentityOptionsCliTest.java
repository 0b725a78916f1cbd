package dev.currentsbridge.cli.export;

import static dev.currentsbridge.cli.export.ExportOutput.assertCountsAddUp;
import static dev.currentsbridge.cli.export.ExportOutput.assertLine;
import static dev.currentsbridge.cli.export.ExportOutput.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --identity-mode} and {@code --export-anonymous} on {@code bridge export} and {@code bridge local}. */
class IdentityOptionsCliTest {

    @TempDir
    Path tmp;
    Path input;

    @BeforeEach
    void dump() throws IOException {
        input = tmp.resolve("dump");
        Files.createDirectories(input);
        // A known user with a device, a device without a user, and an event with neither.
        ObjectNode known = CurrentsSamples.storageSample("users.behaviors.app.SessionStart");
        ObjectNode anonymous = known.deepCopy().put("id", "anon-1").put("device_id", "device-anon");
        anonymous.putNull("external_user_id");
        ObjectNode nobody = known.deepCopy().put("id", "nobody-1");
        nobody.putNull("external_user_id");
        nobody.putNull("device_id");
        Files.writeString(input.resolve("sessions.ndjson"), known + "\n" + anonymous + "\n" + nobody + "\n");
    }

    private Cli.Result export(Path dryRun, String... extra) {
        return export(Map.of(), dryRun, extra);
    }

    private Cli.Result export(Map<String, String> env, Path dryRun, String... extra) {
        List<String> args = new ArrayList<>(List.of("export", "--dry-run", dryRun.toString(),
                "--rejects", tmp.resolve("rejects").toString(), "--logs", tmp.resolve("logs").toString()));
        args.addAll(List.of(extra));
        args.add(input.toString());
        return Cli.run(env, args.toArray(String[]::new));
    }

    @Test
    void theDefaultIsDistinctIdAndSkipsBothAnonymousEvents() throws IOException {
        Cli.Result r = export(tmp.resolve("out"));
        assertEquals(0, r.exitCode(), r.toString());
        assertLine(r.out(), "exported", "1");
        assertLine(r.out(), "skipped", "2   (no_external_user_id: 2)");
        JsonNode only = events(tmp.resolve("out")).getFirst().get("properties");
        assertFalse(only.has("$user_id"));
        assertFalse(only.has("$device_id"));
    }

    @Test
    void simplifiedWithAnonymousExportsTheDeviceOnlyEventWithTheSameInsertIds() throws IOException {
        Cli.Result plain = export(tmp.resolve("plain"), "--identity-mode", "simplified");
        assertEquals(0, plain.exitCode(), plain.toString());
        assertLine(plain.out(), "exported", "1");
        JsonNode known = events(tmp.resolve("plain")).getFirst().get("properties");
        assertEquals(known.get("distinct_id"), known.get("$user_id"));
        assertTrue(known.has("$device_id"));

        Cli.Result r = export(tmp.resolve("anon"), "--identity-mode", "simplified", "--export-anonymous");
        assertEquals(0, r.exitCode(), r.toString());
        assertLine(r.out(), "exported", "2");
        assertLine(r.out(), "skipped", "1   (no_external_user_id_or_device_id: 1)");
        assertCountsAddUp(r.out());
        JsonNode anonymous = events(tmp.resolve("anon")).stream().map(e -> e.get("properties"))
                .filter(p -> !p.has("$user_id")).findFirst().orElseThrow();
        assertEquals("$device:device-anon", anonymous.get("distinct_id").asText());
        assertEquals("device-anon", anonymous.get("$device_id").asText());

        assertEquals(0, export(tmp.resolve("default"), "--identity-mode", "distinct_id").exitCode());
        Set<String> byDefault = insertIds(tmp.resolve("default"));
        Set<String> simplified = insertIds(tmp.resolve("anon"));
        assertTrue(simplified.containsAll(byDefault), "the identified event keeps its $insert_id across modes");
        assertEquals(Set.of("anon-1"), minus(simplified, byDefault));
    }

    @Test
    void theEnvironmentVariablesWorkAsOnTheLambda() throws IOException {
        Cli.Result r = export(Map.of("IDENTITY_MODE", "simplified", "EXPORT_ANONYMOUS", "true"), tmp.resolve("out"));
        assertEquals(0, r.exitCode(), r.toString());
        assertLine(r.out(), "exported", "2");
    }

    @Test
    void anonymousExportInDistinctIdModeIsOneClearLine() {
        Cli.Result r = export(tmp.resolve("out"), "--export-anonymous");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("--export-anonymous") && r.err().contains("IDENTITY_MODE=simplified"), r.err());
        assertFalse(Files.exists(tmp.resolve("out")) && tmp.resolve("out").toFile().list().length > 0);
    }

    @Test
    void anUnknownModeIsOneClearLine() {
        Cli.Result r = export(tmp.resolve("out"), "--identity-mode", "original");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("IDENTITY_MODE must be distinct_id or simplified"), r.err());
        Cli.Result env = export(Map.of("IDENTITY_MODE", "simplified", "EXPORT_ANONYMOUS", "maybe"), tmp.resolve("out"));
        assertEquals(1, env.exitCode(), env.toString());
        assertTrue(env.err().contains("EXPORT_ANONYMOUS must be true or false"), env.err());
    }

    @Test
    void localPassesTheModeToTheExportFunction() throws IOException {
        Path sample = Cli.SAMPLES.resolve("currents/users.behaviors.app.SessionStart.json");
        Cli.Result r = Cli.run(local("--identity-mode", "simplified", "--replay", sample.toString(), "--exit-after-replay"));
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = new ArrayList<>();
        try (var files = Files.walk(tmp.resolve("out/mixpanel"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.getFirst().contains("\"$user_id\":"), lines.getFirst());

        Cli.Result refused = Cli.run(local("--export-anonymous", "--exit-after-replay"));
        assertEquals(1, refused.exitCode(), refused.toString());
        assertEquals(1, refused.err().lines().count(), refused.toString());
        assertTrue(refused.err().contains("IDENTITY_MODE=simplified"), refused.err());
    }

    private String[] local(String... extra) {
        List<String> args = new ArrayList<>(List.of("local", "--port", "0", "--state", tmp.resolve("state").toString(),
                "--out", tmp.resolve("out").toString(), "--template", Cli.TEMPLATE.toString(),
                "--s3-root", tmp.resolve("s3").toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static Set<String> insertIds(Path dir) throws IOException {
        return events(dir).stream().map(e -> e.get("properties").get("$insert_id").asText())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
