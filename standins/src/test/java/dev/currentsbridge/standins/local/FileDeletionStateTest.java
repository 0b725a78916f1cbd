package dev.currentsbridge.standins.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.export.port.DeletionTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode's deletion state: appended JSON lines, read back after a restart, a torn last line tolerated. */
class FileDeletionStateTest {

    @TempDir
    Path dir;

    @Test
    void everythingSurvivesARestartAndTheLastPairWins() {
        FileDeletionState s = FileDeletionState.open(dir);
        s.remember("b-1", "ext-1");
        s.remember("b-1", "ext-1b");
        s.suppress("ext-2");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        s.saveTask(new DeletionTask("task-1", 3, "GDPR", "PENDING", t0, t0));
        s.saveTask(new DeletionTask("task-1", 3, "GDPR", "SUCCESS", t0, t0.plusSeconds(60)));

        FileDeletionState reopened = FileDeletionState.open(dir);
        assertEquals(Optional.of("ext-1b"), reopened.externalId("b-1"));
        assertTrue(reopened.suppressed("ext-2"));
        assertFalse(reopened.suppressed("ext-1b"));
        assertEquals(List.of("SUCCESS"), reopened.tasks().stream().map(DeletionTask::status).toList());
        assertEquals(List.of(), reopened.tasksToCheck(t0.plusSeconds(3600), 5), "a finished task is not due");
    }

    @Test
    void anUnchangedPairIsNotAppendedAgain() throws IOException {
        FileDeletionState s = FileDeletionState.open(dir);
        for (int i = 0; i < 100; i++) {
            s.remember("b-hot", "ext-hot");
        }
        assertEquals(1, Files.readAllLines(dir.resolve(FileDeletionState.IDENTITY_FILE)).size());
    }

    @Test
    void aTornLastLineAfterACrashIsIgnored() throws IOException {
        FileDeletionState s = FileDeletionState.open(dir);
        s.remember("b-1", "ext-1");
        Files.writeString(dir.resolve(FileDeletionState.IDENTITY_FILE), "{\"braze_id\":\"b-2\",\"exter",
                StandardOpenOption.APPEND);
        FileDeletionState reopened = FileDeletionState.open(dir);
        assertEquals(Optional.of("ext-1"), reopened.externalId("b-1"));
        assertEquals(Optional.empty(), reopened.externalId("b-2"));
        reopened.remember("b-3", "ext-3");
        assertEquals(Optional.of("ext-3"), FileDeletionState.open(dir).externalId("b-3"), "the next line is whole");
    }

    @Test
    void inMemoryWritesNoFile() throws IOException {
        FileDeletionState s = FileDeletionState.inMemory();
        s.remember("b-1", "ext-1");
        s.suppress("ext-1");
        assertTrue(s.suppressed("ext-1"));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
