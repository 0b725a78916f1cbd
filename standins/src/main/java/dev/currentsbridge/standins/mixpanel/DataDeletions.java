package dev.currentsbridge.standins.mixpanel;

import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state behind the emulated GDPR API ({@link DataDeletionRoute}): the accepted OAuth token and project token,
 * the deletion tasks created, every request seen, and 429s to answer next. Tests configure and inspect it through
 * {@link MixpanelFake#deletions()}.
 */
public final class DataDeletions {

    public static final int MAX_DISTINCT_IDS = 2000;

    /** One {@code POST} as received (status answered, ids sent, compliance type). */
    public record Request(int status, List<String> distinctIds, String complianceType) {
    }

    /** A deletion task the emulator created. */
    public record Task(String id, List<String> distinctIds, String complianceType, String status) {
    }

    private String oauthToken = "gdpr-oauth-token";
    private String projectToken = "project-token";
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final List<Integer> nextRateLimits = new ArrayList<>();
    private final AtomicInteger statusGets = new AtomicInteger();
    private int taskCounter;
    private Path recordDir;

    /** The Bearer token and project token the API takes (defaults: {@code gdpr-oauth-token}, {@code project-token}). */
    public synchronized DataDeletions accept(String gdprOauthToken, String projectToken) {
        this.oauthToken = gdprOauthToken;
        this.projectToken = projectToken;
        return this;
    }

    /** The next {@code n} POSTs get 429 with {@code Retry-After: retryAfter}. */
    public synchronized DataDeletions rateLimitNext(int n, Duration retryAfter) {
        for (int i = 0; i < n; i++) {
            nextRateLimits.add((int) retryAfter.toSeconds());
        }
        return this;
    }

    /** Each accepted request body is also written to {@code dir/deletion-<n>.json} (dry runs). */
    public synchronized DataDeletions recordTo(Path dir) {
        this.recordDir = dir;
        return this;
    }

    /** Mixpanel finishes every task (as it does, weeks later). */
    public synchronized void finishAll() {
        tasks.replaceAll((id, t) -> new Task(id, t.distinctIds(), t.complianceType(), "SUCCESS"));
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<Task> tasks() {
        return List.copyOf(tasks.values());
    }

    /** Every distinct id of every accepted request, in order. */
    public synchronized List<String> deletedDistinctIds() {
        return tasks.values().stream().flatMap(t -> t.distinctIds().stream()).toList();
    }

    public int statusGets() {
        return statusGets.get();
    }

    synchronized boolean authorized(String bearer, String token) {
        return oauthToken.equals(bearer) && projectToken.equals(token);
    }

    synchronized Integer takeRateLimit() {
        return nextRateLimits.isEmpty() ? null : nextRateLimits.remove(0);
    }

    synchronized void record(int status, List<String> ids, String complianceType) {
        requests.add(new Request(status, List.copyOf(ids), complianceType));
    }

    synchronized Task create(List<String> ids, String complianceType) {
        ++taskCounter;
        String id = "task-" + java.util.UUID.randomUUID(); // unique across restarts of local mode
        Task t = new Task(id, List.copyOf(ids), complianceType, "PENDING");
        tasks.put(id, t);
        if (recordDir != null) {
            var body = Json.MAPPER.createObjectNode();
            ids.forEach(body.putArray("distinct_ids")::add);
            body.put("compliance_type", complianceType);
            try {
                Files.createDirectories(recordDir);
                Path file;
                int n = taskCounter;
                do {
                    file = recordDir.resolve("deletion-" + n++ + ".json"); // a restart does not overwrite
                } while (Files.exists(file));
                Files.writeString(file, body.toString() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return t;
    }

    synchronized Task task(String id) {
        statusGets.incrementAndGet();
        return tasks.get(id);
    }
}
