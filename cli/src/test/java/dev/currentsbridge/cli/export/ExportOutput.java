package dev.currentsbridge.cli.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reading what {@code bridge export} printed (the summary lines) and wrote (the dry-run /import bodies). */
final class ExportOutput {

    private ExportOutput() {
    }

    /** The value of a summary line, e.g. {@code "2   (no_external_user_id: 2)"} for "skipped". */
    static String summaryValue(String out, String label) {
        Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(label) + "\\s+(.*)$").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1).strip();
    }

    static void assertLine(String out, String label, String value) {
        assertEquals(value, summaryValue(out, label), out);
    }

    /** events read = exported + skipped + rejected + not delivered: every event counted exactly once. */
    static void assertCountsAddUp(String out) {
        long sum = count(out, "exported") + count(out, "skipped") + count(out, "rejected") + count(out, "not delivered");
        assertEquals(count(out, "events read"), sum, out);
    }

    private static long count(String out, String label) {
        return Long.parseLong(summaryValue(out, label).split("\\s+")[0]);
    }

    /** Every event of the dry-run sink's NDJSON files in {@code dir}. */
    static List<JsonNode> events(Path dir) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("import-")
                    && f.toString().endsWith(".ndjson")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    events.add(Json.MAPPER.readTree(line));
                }
            }
        }
        return events;
    }

    /** The {@code /engage} profile updates a dry run wrote ({@code engage-*.ndjson}), one per line. */
    static List<String> profileUpdates(Path dir) throws IOException {
        List<String> updates = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("engage-")
                    && f.toString().endsWith(".ndjson")).toList()) {
                updates.addAll(Files.readAllLines(p));
            }
        }
        return updates;
    }

    static Set<String> insertIds(List<JsonNode> events) {
        Set<String> ids = new TreeSet<>();
        events.forEach(e -> ids.add(e.path("properties").path("$insert_id").asText()));
        return ids;
    }
}
