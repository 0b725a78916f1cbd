package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.standins.faults.FaultQueue;
import dev.currentsbridge.standins.recording.OutputFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code /engage} side of the Mixpanel emulator ({@link MixpanelFake#engage()}), served by {@link EngageRoute}:
 * its options, its decisions and what it saw. Mixpanel's order: a scripted fault, then the project token of every
 * update (401), the body (a JSON array), at most 2000 updates (refused whole), then each update by
 * {@link EngageRules} and the 2000-properties-per-profile limit. All valid: {@code 200}. Some refused: under
 * {@code strict=1} {@code 400} with {@code failed_records} by index (or {@code 200} with them, as the reference page
 * warns a 200 can carry validation errors: {@link #failuresAs200}); without it {@code 200 1}/{@code 0}. Valid
 * updates are applied to in-memory profiles ({@code $set}, {@code $set_once}, {@code $unset}, {@code $delete}).
 * Thread-safe.
 */
public final class EngageEmulator {

    /** Mixpanel: a profile holds at most 2000 properties ({@code data-structure/user-profiles.mdx}). */
    public static final int MAX_PROFILE_PROPERTIES = 2000;

    /** One request as the emulator saw it: its answer, and the request body as received (UTF-8). */
    public record Request(int status, int updates, long bytes, String ip, boolean strict, String answer,
                          String body) {
    }

    private final FaultQueue<MixpanelFake.Fault> faults = new FaultQueue<>();
    private final Set<String> tokens = new HashSet<>();
    private final Map<String, ObjectNode> profiles = new LinkedHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private boolean anyToken;
    private boolean failuresAs200;
    private int maxUpdates = BatchLimits.MIXPANEL_ENGAGE_MAX_UPDATES;
    private boolean noHistory;
    private OutputFiles recorder;
    private long updatesApplied;
    private long updatesFailed;

    EngageEmulator() {
    }

    // ---- options ---------------------------------------------------------------------------------------

    /** Accept updates carrying this project token as {@code $token}. */
    public synchronized EngageEmulator acceptToken(String token) {
        tokens.add(token);
        return this;
    }

    /** Accept any non-empty {@code $token} (dry runs cannot know the real one). */
    public synchronized EngageEmulator acceptAnyToken(boolean any) {
        anyToken = any;
        return this;
    }

    public synchronized EngageEmulator revokeAll() {
        tokens.clear();
        anyToken = false;
        return this;
    }

    /** Answer refused updates under {@code strict=1} with 200 (not 400) and {@code failed_records}. */
    public synchronized EngageEmulator failuresAs200(boolean as200) {
        failuresAs200 = as200;
        return this;
    }

    public synchronized EngageEmulator maxUpdates(int n) {
        maxUpdates = n;
        return this;
    }

    /** Faults for the next {@code /engage} requests, one per request (its own queue: {@code /import}'s is apart). */
    public EngageEmulator enqueue(MixpanelFake.Fault... next) {
        faults.enqueue(next);
        return this;
    }

    public int pendingFaults() {
        return faults.pending();
    }

    synchronized void recordTo(Path dir) {
        recorder = new OutputFiles(dir, "engage", ".ndjson");
    }

    synchronized void keepNoHistory() {
        noHistory = true;
    }

    // ---- observations ----------------------------------------------------------------------------------

    /** The profiles as the applied updates left them, by {@code $distinct_id}. */
    public synchronized Map<String, JsonNode> profiles() {
        return Map.copyOf(profiles);
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    public synchronized long updatesApplied() {
        return updatesApplied;
    }

    public synchronized long updatesFailed() {
        return updatesFailed;
    }

    public synchronized void reset() {
        faults.clear();
        profiles.clear();
        requests.clear();
        updatesApplied = 0;
        updatesFailed = 0;
    }

    // ---- decisions -------------------------------------------------------------------------------------

    record Answer(int status, String body, Integer retryAfterSeconds) {
    }

    MixpanelFake.Fault nextFault() {
        return faults.poll();
    }

    /** {@code body} null: not valid gzip. */
    synchronized Answer process(byte[] body, String ip, boolean strict, MixpanelFake.Fault fault) throws IOException {
        int[] count = {0};
        Answer a = decide(body, strict, fault, count);
        if (!noHistory) {
            requests.add(new Request(a.status(), count[0], body == null ? 0 : body.length, ip, strict, a.body(),
                    body == null ? null : new String(body, StandardCharsets.UTF_8)));
        }
        return a;
    }

    private Answer decide(byte[] body, boolean strict, MixpanelFake.Fault fault, int[] count) throws IOException {
        if (fault instanceof MixpanelFake.Fault.Status s) {
            return new Answer(s.status(), EngageBodies.documented(s.status()), s.retryAfterSeconds());
        }
        if (fault instanceof MixpanelFake.Fault.BodyTooLarge400) {
            return new Answer(400, ImportBodies.badRequest(ImportBodies.BODY_TOO_LARGE_400), null);
        }
        List<ImportPayload.Event> updates;
        try {
            if (body == null || !ImportPayload.isArray(body)) {
                throw new IOException("not an array");
            }
            updates = ImportPayload.parse(body);
        } catch (IOException e) {
            return new Answer(400, EngageBodies.refused(true, "the body must be a JSON array of profile updates"), null);
        }
        count[0] = updates.size();
        for (ImportPayload.Event u : updates) {
            JsonNode token = u.node().path("$token");
            if (!token.isTextual() || !(anyToken ? !token.asText().isEmpty() : tokens.contains(token.asText()))) {
                return new Answer(401, EngageBodies.documented(401), null);
            }
        }
        if (updates.size() > maxUpdates) {
            return new Answer(400, EngageBodies.refused(true, "request contains " + updates.size()
                    + " profile updates, more than the limit of " + maxUpdates), null);
        }
        return applied(updates, strict, fault);
    }

    private Answer applied(List<ImportPayload.Event> updates, boolean strict, MixpanelFake.Fault fault)
            throws IOException {
        Set<Integer> forced = new HashSet<>();
        if (fault instanceof MixpanelFake.Fault.FailIndexes f) {
            for (int i : f.indexes()) {
                forced.add(i);
            }
        }
        ArrayNode failed = Json.MAPPER.createArrayNode();
        int applied = 0;
        for (int i = 0; i < updates.size(); i++) {
            JsonNode u = updates.get(i).node();
            EngageRules.Problem problem = forced.contains(i) ? new EngageRules.Problem("$set", "injected failure")
                    : EngageRules.check(u, updates.get(i).bytes());
            if (problem == null) {
                problem = apply((ObjectNode) u);
            }
            if (problem == null) {
                applied++;
            } else {
                failed.addObject().put("index", i).put("field", problem.field()).put("message", problem.message());
            }
        }
        record(updates);
        updatesApplied += applied;
        updatesFailed += failed.size();
        if (failed.isEmpty()) {
            return new Answer(200, EngageBodies.ok(strict, applied), null);
        }
        if (!strict) {
            return new Answer(200, EngageBodies.ok(false, applied), null);
        }
        return new Answer(failuresAs200 ? 200 : 400, EngageBodies.failed(failed, applied), null);
    }

    /** Applies a valid update; a problem when it would take the profile over 2000 properties. */
    private EngageRules.Problem apply(ObjectNode u) {
        String id = u.get("$distinct_id").asText();
        ObjectNode profile = profiles.get(id);
        if (u.has("$delete")) {
            profiles.remove(id);
            return null;
        }
        ObjectNode next = profile == null ? Json.MAPPER.createObjectNode() : profile.deepCopy();
        if (u.has("$set") || u.has("$set_once")) {
            boolean once = u.has("$set_once");
            JsonNode set = u.get(once ? "$set_once" : "$set");
            for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!once || !next.has(e.getKey())) {
                    next.set(e.getKey(), e.getValue());
                }
            }
        } else if (u.has("$unset")) {
            u.get("$unset").forEach(name -> next.remove(name.asText()));
        }
        if (next.size() > MAX_PROFILE_PROPERTIES) {
            return new EngageRules.Problem("$set", "a profile holds at most " + MAX_PROFILE_PROPERTIES + " properties");
        }
        if (!noHistory) {
            profiles.put(id, next);
        }
        return null;
    }

    /** Dry runs and local mode: every update read, one a line, to {@code engage-<run>-<n>.ndjson}. */
    private void record(List<ImportPayload.Event> updates) throws IOException {
        if (recorder == null) {
            return;
        }
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        for (ImportPayload.Event u : updates) {
            ndjson.write(Json.MAPPER.writeValueAsBytes(u.node()));
            ndjson.write('\n');
        }
        recorder.write(ndjson.toByteArray());
    }
}
