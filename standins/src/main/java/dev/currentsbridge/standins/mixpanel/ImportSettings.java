package dev.currentsbridge.standins.mixpanel;

import dev.currentsbridge.export.domain.delivery.BatchLimits;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How one Mixpanel emulator answers {@code /import}: which credentials it accepts and the options a test or a
 * mode picks. Everything else (the limits, the per-event rules, the bodies) is Mixpanel's and not configurable.
 */
final class ImportSettings {

    /** "user:secret" -> project id ("" for a project secret or token, which takes no project id). */
    final Map<String, String> acceptedUsers = new ConcurrentHashMap<>();
    /** Any HTTP Basic credentials (dry runs: the emulator cannot know the user's real ones). */
    volatile boolean anyCredentials;
    volatile long maxBodyBytes = BatchLimits.MIXPANEL_MAX_BODY_BYTES;
    volatile int maxEvents = BatchLimits.MIXPANEL_MAX_EVENTS;
    /** A test's assertion that the client compresses (Mixpanel itself takes both). */
    volatile boolean requireGzip;
    volatile String failedRecordIdKey = "insert_id";
    volatile Supplier<Instant> clock = Instant::now;
    /** Events Mixpanel refuses every time, on top of its rules (by {@code $insert_id}). */
    volatile Predicate<String> refusedInsertIds = id -> false;
    /** Request-level checks only, events counted by a byte scan, nothing kept (the benchmarks' sink). */
    volatile boolean countOnly;
    /** In {@link #countOnly} mode: receives the {@code $insert_id}s of every imported request; null: none. */
    volatile java.util.function.Consumer<String> insertIds;
    /** Counters only: no imported events, dedup keys or requests kept (long dry runs, benchmarks). */
    volatile boolean noHistory;
    /** Where accepted bodies are written; null: nowhere. */
    volatile ImportRecorder recorder;

    void recordTo(Path dir) {
        recorder = new ImportRecorder(dir);
    }

    boolean authorized(String user, String secret, String projectId) {
        if (user == null) {
            return false;
        }
        if (anyCredentials) {
            return !user.isEmpty();
        }
        String expectedProject = acceptedUsers.get(user + ":" + secret);
        if (expectedProject == null) {
            return false;
        }
        return expectedProject.isEmpty() || expectedProject.equals(projectId);
    }
}
