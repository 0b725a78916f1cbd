package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mixpanel's {@code /import} decisions, in the order Mixpanel makes them, for one request already off the wire:
 * credentials (401), size (413, on the uncompressed body), shape (400), event count (400), then each event
 * ({@link ImportRules}): all valid is 200, some refused is the partial 400 with {@code failed_records} under
 * {@code strict=1}, and without it Mixpanel imports the valid ones and answers 200. Shared by the HTTP route and
 * the in-process port, so both answer alike.
 */
final class ImportEndpoint {

    /**
     * One request: Basic credentials (null user: none), query, and the uncompressed body (null: not valid gzip; it
     * may hold one byte more than the limit, which is how "too large" is told).
     */
    record Call(String user, String secret, String projectId, boolean strict, boolean gzip, long wireBytes,
                byte[] body) {
    }

    record Answer(int status, String body, Integer retryAfterSeconds) {
        static Answer of(int status, String body) {
            return new Answer(status, body, null);
        }
    }

    private final ImportSettings settings;
    private final ImportLedger ledger;

    ImportEndpoint(ImportSettings settings, ImportLedger ledger) {
        this.settings = settings;
        this.ledger = ledger;
    }

    Answer process(Call call, MixpanelFake.Fault fault) throws IOException {
        int[] events = {0};
        Answer a = decide(call, fault, events);
        long bytes = call.body() == null ? 0 : call.body().length;
        ledger.request(new MixpanelFake.Request(a.status(), events[0], bytes, call.gzip(), call.user(),
                call.projectId(), call.wireBytes()), !settings.countOnly && !settings.noHistory);
        return a;
    }

    private Answer decide(Call call, MixpanelFake.Fault fault, int[] eventCount) throws IOException {
        if (fault instanceof MixpanelFake.Fault.Status s) {
            return new Answer(s.status(), ImportBodies.documented(s.status()), s.retryAfterSeconds());
        }
        if (!settings.authorized(call.user(), call.secret(), call.projectId())) {
            return Answer.of(401, ImportBodies.documented(401));
        }
        if (settings.requireGzip && !call.gzip()) {
            return Answer.of(400, ImportBodies.badRequest("this emulator was told to require Content-Encoding: gzip"));
        }
        if (call.body() == null) {
            return Answer.of(400, ImportBodies.badRequest("body is not valid gzip"));
        }
        if (fault instanceof MixpanelFake.Fault.BodyTooLarge400) {
            return Answer.of(400, ImportBodies.badRequest(ImportBodies.BODY_TOO_LARGE_400));
        }
        byte[] body = call.body();
        if (body.length > settings.maxBodyBytes) {
            return Answer.of(413, ImportBodies.tooLarge(settings.maxBodyBytes));
        }
        if (settings.countOnly) {
            return counted(body, eventCount);
        }
        List<ImportPayload.Event> events;
        try {
            events = ImportPayload.parse(body);
        } catch (IOException e) {
            return Answer.of(400, ImportBodies.badRequest("unable to parse request body as a JSON array or NDJSON"));
        }
        eventCount[0] = events.size();
        if (events.size() > settings.maxEvents) {
            return Answer.of(400, tooManyEvents(events.size()));
        }
        return imported(call, body, events, fault);
    }

    private Answer imported(Call call, byte[] body, List<ImportPayload.Event> events, MixpanelFake.Fault fault)
            throws IOException {
        Set<Integer> forced = new HashSet<>();
        if (fault instanceof MixpanelFake.Fault.FailIndexes f) {
            for (int i : f.indexes()) {
                forced.add(i);
            }
        }
        ImportRules rules = new ImportRules(settings.clock);
        ArrayNode failed = Json.MAPPER.createArrayNode();
        List<JsonNode> good = new ArrayList<>();
        List<JsonNode> all = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i).node();
            all.add(e);
            String insertId = e.path("properties").path("$insert_id").asText("");
            ImportRules.Problem problem = forced.contains(i) ? new ImportRules.Problem("properties", "injected failure")
                    : settings.refusedInsertIds.test(insertId)
                    ? new ImportRules.Problem("properties.time", "'properties.time' is invalid")
                    : rules.check(e, events.get(i).bytes());
            if (problem == null) {
                good.add(e);
            } else {
                failed.addObject().put("index", i).put(settings.failedRecordIdKey, insertId)
                        .put("field", problem.field()).put("message", problem.message());
            }
        }
        ImportRecorder recorder = settings.recorder;
        if (recorder != null) {
            recorder.record(body, ImportPayload.isArray(body), all);
        }
        if (!settings.noHistory) {
            ledger.imported(good);
        }
        ledger.read(good.size(), failed.size());
        if (failed.isEmpty() || !call.strict()) {
            return Answer.of(200, ImportBodies.ok(good.size()));
        }
        return Answer.of(400, ImportBodies.partial(good.size(), failed));
    }

    private Answer counted(byte[] body, int[] eventCount) {
        java.util.function.Consumer<String> ids = settings.insertIds;
        List<String> seen = ids == null ? null : new ArrayList<>();
        ImportBodyScanner scanner = new ImportBodyScanner(seen == null ? null : seen::add);
        scanner.scan(body, body.length);
        eventCount[0] = (int) scanner.events();
        if (scanner.events() > settings.maxEvents) {
            return Answer.of(400, tooManyEvents(scanner.events()));
        }
        ledger.read(eventCount[0], 0);
        if (seen != null) {
            seen.forEach(ids);
        }
        return Answer.of(200, ImportBodies.ok(eventCount[0]));
    }

    private String tooManyEvents(long n) {
        return ImportBodies.badRequest("request contains " + n + " events, more than the limit of "
                + settings.maxEvents);
    }
}
