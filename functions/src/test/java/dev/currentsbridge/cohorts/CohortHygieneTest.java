package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the codebase that a refactoring could silently break. */
class CohortHygieneTest {

    @Test
    void domainAndPortsImportNothingFromAws() throws IOException {
        Path root = Path.of("../core/src/main/java/dev/currentsbridge/cohorts");
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve("domain")), Files.walk(root.resolve("port")))) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 10);
        for (Path f : files) {
            String src = Files.readString(f);
            assertFalse(src.contains("software.amazon") || src.contains("com.amazonaws"), f + " imports AWS");
        }
    }

    @Test
    void noUserIdEmailOrKeyReachesLogsOrMetrics() {
        List<String> lines = new ArrayList<>();
        var oldLog = Log.setSink(lines::add);
        var oldMetrics = Metrics.setSink(lines::add);
        try (CohortHarness h = CohortHarness.inMemory(Map.of("MEMBER_ID_FIELD", "email"))) {
            h.braze.rejectUser("email:secretperson1@example.com");
            h.webhook(CohortHarness.membersPage("1", "A", "s", 1, 1, List.of("secretperson1", "secretperson2")));
            h.webhook(CohortHarness.webhookBody("remove_members", "1", "A", null, 1, 1, List.of("secretperson2")));
            h.webhook("{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"1\",\"members\":"
                    + "[{\"email\":\"" + "secretperson3".repeat(30) + "\"}]}}");
            h.call("GET", "/cohorts/1/members", null, h.bearer(h.key));
            h.runRefresh();
            assertEquals(1, h.braze.requests().size());
            h.call("POST", "/keys", null, h.bearer(h.key));
            h.call("GET", "/cohorts", null, h.bearer(h.key + "x"));
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                assertFalse(line.contains("secretperson"), "personal data in: " + line);
                assertFalse(line.contains(h.key) || line.contains("cbk_"), "a key in: " + line);
                assertFalse(line.contains(CohortHarness.BRAZE_KEY), "the Braze key in: " + line);
            }
        } finally {
            Log.setSink(oldLog);
            Metrics.setSink(oldMetrics);
        }
    }
}
