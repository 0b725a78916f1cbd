package dev.currentsbridge.standins.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.DeletionTask;
import dev.currentsbridge.export.port.DeletionStore;
import dev.currentsbridge.export.port.IdentityMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deletion forwarding's state for local mode ({@code .local-state/}) and {@code bridge export --state DIR}: the
 * identity map, the suppression list and the deletion tasks, in memory and appended to JSON-lines files in
 * {@code dir} ({@code identity-map.jsonl}, {@code suppressed.jsonl}, {@code deletion-tasks.jsonl}; the last line of a
 * key wins), read back at start so they survive restarts. Without a directory it keeps everything in memory.
 * One process; appends are O(1) so a backfill of many users does not rewrite a file per user.
 */
public final class FileDeletionState implements IdentityMap, DeletionStore {

    public static final String IDENTITY_FILE = "identity-map.jsonl";
    public static final String SUPPRESSED_FILE = "suppressed.jsonl";
    public static final String TASKS_FILE = "deletion-tasks.jsonl";

    private final Path dir;
    private final Map<String, String> identities = new HashMap<>();
    private final Set<String> suppressed = new HashSet<>();
    private final Map<String, DeletionTask> tasks = new LinkedHashMap<>();

    private FileDeletionState(Path dir) {
        this.dir = dir;
    }

    /** Nothing written anywhere. */
    public static FileDeletionState inMemory() {
        return new FileDeletionState(null);
    }

    /** The state in {@code dir} (created empty when there is none yet). */
    public static FileDeletionState open(Path dir) {
        FileDeletionState s = new FileDeletionState(dir);
        try {
            Files.createDirectories(dir);
            for (JsonNode n : lines(dir.resolve(IDENTITY_FILE))) {
                s.identities.put(n.path("braze_id").asText(), n.path("external_id").asText());
            }
            for (JsonNode n : lines(dir.resolve(SUPPRESSED_FILE))) {
                s.suppressed.add(n.path("external_id").asText());
            }
            for (JsonNode n : lines(dir.resolve(TASKS_FILE))) {
                DeletionTask t = new DeletionTask(n.path("task_id").asText(), n.path("distinct_ids").asInt(),
                        n.path("compliance_type").asText(), n.path("status").asText(),
                        Instant.parse(n.path("submitted_at").asText()), Instant.parse(n.path("checked_at").asText()));
                s.tasks.put(t.taskId(), t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the deletion state in " + dir, e);
        }
        return s;
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            // a torn last line: end it, so that the next append starts a line of its own
            Files.writeString(file, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException e) {
                return Json.MAPPER.createObjectNode(); // a torn last line after a crash: that pair is learnt again
            }
        }).filter(n -> n.size() > 0).toList();
    }

    @Override
    public synchronized Optional<String> externalId(String brazeUserId) {
        return Optional.ofNullable(identities.get(brazeUserId));
    }

    @Override
    public synchronized void remember(String brazeUserId, String externalId) {
        if (externalId.equals(identities.put(brazeUserId, externalId))) {
            return;
        }
        append(IDENTITY_FILE, Json.MAPPER.createObjectNode().put("braze_id", brazeUserId)
                .put("external_id", externalId));
    }

    @Override
    public synchronized boolean suppressed(String externalId) {
        return suppressed.contains(externalId);
    }

    @Override
    public synchronized void suppress(String externalId) {
        if (suppressed.add(externalId)) {
            append(SUPPRESSED_FILE, Json.MAPPER.createObjectNode().put("external_id", externalId));
        }
    }

    @Override
    public synchronized void saveTask(DeletionTask t) {
        tasks.put(t.taskId(), t);
        append(TASKS_FILE, Json.MAPPER.createObjectNode().put("task_id", t.taskId())
                .put("distinct_ids", t.distinctIds()).put("compliance_type", t.complianceType())
                .put("status", t.status()).put("submitted_at", t.submittedAt().toString())
                .put("checked_at", t.checkedAt().toString()));
    }

    @Override
    public synchronized List<DeletionTask> tasksToCheck(Instant checkedBefore, int max) {
        return tasks.values().stream().filter(t -> !t.finished() && t.checkedAt().isBefore(checkedBefore))
                .sorted(Comparator.comparing(DeletionTask::checkedAt)).limit(max).toList();
    }

    public synchronized List<DeletionTask> tasks() {
        return List.copyOf(tasks.values());
    }

    public synchronized Set<String> suppressedIds() {
        return Set.copyOf(suppressed);
    }

    private void append(String file, ObjectNode line) {
        if (dir == null) {
            return;
        }
        try {
            Files.writeString(dir.resolve(file), line.toString() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the deletion state in " + dir, e);
        }
    }
}
