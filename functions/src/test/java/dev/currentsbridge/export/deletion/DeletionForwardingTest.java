package dev.currentsbridge.export.deletion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.adapter.MixpanelHttpDeletions;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.domain.deletion.DeletionForwarding;
import dev.currentsbridge.export.port.DeletionTask;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.pipeline.ExportPipeline;
import dev.currentsbridge.export.pipeline.ExportResult;
import dev.currentsbridge.export.pipeline.ExportSetup;
import dev.currentsbridge.export.pipeline.QueueMessage;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.local.FileDeletionState;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.DataDeletions;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import dev.currentsbridge.standins.time.ManualClock;
import dev.currentsbridge.common.http.SharedHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deletion forwarding through the export pipeline, with the real GDPR HTTP adapter against the emulator's GDPR
 * route, the real /import adapter against the emulator, and the file state of local mode.
 */
class DeletionForwardingTest {

    static final String SECRET_ID = "mixpanel";
    static final String TYPE_OPEN = "users.messages.email.Open";

    private final MixpanelFake mixpanel = MixpanelFake.start().acceptUsername("api-secret");
    private final MapSecretSource secrets = new MapSecretSource(Map.of(SECRET_ID, secret("gdpr-oauth-token")));
    private final ManualClock clock = new ManualClock();
    private final List<RejectedEvent> rejected = new CopyOnWriteArrayList<>();
    private int messages;

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        mixpanel.close();
    }

    static String secret(String gdprToken) {
        ObjectNode s = Json.MAPPER.createObjectNode().put("api_secret", "api-secret").put("project_token",
                "project-token");
        if (gdprToken != null) {
            s.put("gdpr_oauth_token", gdprToken);
        }
        return s.toString();
    }

    private ExportPipeline pipeline(FileDeletionState state) {
        var http = new MixpanelHttpImport(SharedHttpClient.get(), URI.create(mixpanel.baseUrl()), secrets, SECRET_ID);
        var gdpr = new MixpanelHttpDeletions(SharedHttpClient::get, URI.create(mixpanel.baseUrl()), secrets, SECRET_ID);
        ExportSetup setup = new ExportSetup(new EventMapper(MappingConfig.defaults()), http, r -> {
            rejected.addAll(r);
            return List.of();
        }, RetryPolicy.mixpanel(new SplittableRandom(1)), clock.sleeper(), DeliverySettings.defaults(2),
                BatchLimits.MIXPANEL);
        DeletionForwarding f = new DeletionForwarding(state, state, gdpr, "GDPR",
                RetryPolicy.mixpanel(new SplittableRandom(1)), clock.sleeper(), clock);
        return new ExportPipeline(setup.withDeletions(f), (b, k) -> {
            throw new IllegalStateException("no S3 here");
        });
    }

    static ObjectNode event(String type, String id, String brazeId, String externalId) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("event_type", type).put("id", id).put("user_id", brazeId)
                .put("time", 1_700_000_000L);
        if (externalId != null) {
            o.put("external_user_id", externalId);
        }
        return o;
    }

    static ObjectNode open(String id, String brazeId, String externalId) {
        return event(TYPE_OPEN, id, brazeId, externalId).put("email_address", "x@example.com")
                .put("campaign_id", "c1");
    }

    static ObjectNode deleteRequest(String id, String brazeId) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("event_type", "users.UserDeleteRequest").put("id", id)
                .put("user_id", brazeId).put("time", 1_700_000_100L);
        return o;
    }

    private QueueMessage message(List<ObjectNode> events) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("events").addAll(events);
        return new QueueMessage("m-" + (++messages), root.toString(), null);
    }

    private ExportResult run(ExportPipeline p, QueueMessage... ms) {
        return p.process(List.of(ms), Deadline.none(), false);
    }

    @Test
    void eventsThenDeleteRequestGiveOneDeletionOfTheExternalIdAndLaterEventsAreSkipped() {
        FileDeletionState state = FileDeletionState.open(dir);
        ExportPipeline p = pipeline(state);
        ExportResult first = run(p, message(List.of(open("e1", "b-1", "ext-1"), open("e2", "b-1", "ext-1"),
                open("e3", "b-2", "ext-2"))));
        assertEquals(3, first.ledger().totals().get(Outcome.IMPORTED));

        ExportResult del = run(p, message(List.of(deleteRequest("d1", "b-1"))));
        assertEquals(Map.of("deletion_requested", 1L), del.ledger().totals().reasons(Outcome.SKIPPED));
        assertTrue(del.returnedMessageIds().isEmpty());
        List<DataDeletions.Request> requests = mixpanel.deletions().requests();
        assertEquals(1, requests.size());
        assertEquals(List.of("ext-1"), requests.get(0).distinctIds());
        assertEquals("GDPR", requests.get(0).complianceType());
        assertEquals(201, requests.get(0).status());

        ExportResult later = run(p, message(List.of(open("e4", "b-1", "ext-1"), open("e5", "b-2", "ext-2"))));
        assertEquals(Map.of("deleted_user", 1L), later.ledger().totals().reasons(Outcome.SKIPPED));
        assertEquals(1, later.ledger().totals().get(Outcome.IMPORTED));
        assertEquals(4, mixpanel.importedUnique());

        // a restart: a new pipeline over the same directory still knows the suppression and the identity map
        FileDeletionState reopened = FileDeletionState.open(dir);
        ExportPipeline restarted = pipeline(reopened);
        ExportResult afterRestart = run(restarted, message(List.of(open("e6", "b-1", "ext-1"),
                deleteRequest("d2", "b-2"))));
        assertEquals(Map.of("deleted_user", 1L, "deletion_requested", 1L),
                afterRestart.ledger().totals().reasons(Outcome.SKIPPED));
        assertEquals(List.of("ext-1", "ext-2"), mixpanel.deletions().deletedDistinctIds());
        assertEquals(2, reopened.tasks().size());
        assertTrue(rejected.isEmpty());
    }

    @Test
    void anUnknownBrazeIdIsSkippedAsUnknownAndNothingIsSent() {
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        ExportResult r = run(p, message(List.of(deleteRequest("d1", "b-never-seen"))));
        assertEquals(Map.of("deletion_unknown_user", 1L), r.ledger().totals().reasons(Outcome.SKIPPED));
        assertTrue(r.returnedMessageIds().isEmpty());
        assertEquals(0, mixpanel.deletions().requests().size());
    }

    @Test
    void moreThan2000DeletionsGoIn2000IdBatches() {
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        int users = 4500;
        List<QueueMessage> learn = new ArrayList<>();
        List<QueueMessage> deletes = new ArrayList<>();
        for (int from = 0; from < users; from += 500) {
            List<ObjectNode> evs = new ArrayList<>();
            List<ObjectNode> dels = new ArrayList<>();
            for (int i = from; i < from + 500; i++) {
                evs.add(open("e" + i, "b-" + i, "ext-" + i));
                dels.add(deleteRequest("d" + i, "b-" + i));
            }
            learn.add(message(evs));
            deletes.add(message(dels));
        }
        p.process(learn, Deadline.none(), false);
        ExportResult r = p.process(deletes, Deadline.none(), false);
        assertEquals(users, r.ledger().totals().reasons(Outcome.SKIPPED).get("deletion_requested"));
        List<Integer> sizes = mixpanel.deletions().requests().stream().map(q -> q.distinctIds().size()).toList();
        assertEquals(List.of(2000, 2000, 500), sizes);
        assertEquals(users, mixpanel.deletions().deletedDistinctIds().stream().distinct().count());
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() {
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        run(p, message(List.of(open("e1", "b-1", "ext-1"))));
        mixpanel.deletions().rateLimitNext(2, Duration.ofSeconds(7));
        ExportResult r = run(p, message(List.of(deleteRequest("d1", "b-1"))));
        assertEquals(List.of(429, 429, 201), mixpanel.deletions().requests().stream()
                .map(DataDeletions.Request::status).toList());
        assertEquals(Duration.ofSeconds(14), clock.slept());
        assertEquals(Map.of("deletion_requested", 1L), r.ledger().totals().reasons(Outcome.SKIPPED));
        assertEquals(1, mixpanel.deletions().tasks().size());
    }

    @Test
    void aRateLimitOutlastingTheRetriesReturnsTheMessageAndTheRetryIsAccepted() {
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        run(p, message(List.of(open("e1", "b-1", "ext-1"))));
        mixpanel.deletions().rateLimitNext(10, Duration.ofSeconds(1));
        QueueMessage del = message(List.of(deleteRequest("d1", "b-1")));
        ExportResult r = run(p, del);
        assertEquals(List.of(del.id()), r.returnedMessageIds());
        assertEquals(Map.of("deletion_rate_limited", 1L), r.ledger().totals().reasons(Outcome.RETRY));
        // the user is suppressed already: its events stop at once
        ExportResult later = run(p, message(List.of(open("e2", "b-1", "ext-1"))));
        assertEquals(Map.of("deleted_user", 1L), later.ledger().totals().reasons(Outcome.SKIPPED));
        ExportResult redelivered = run(p, del);
        assertTrue(redelivered.returnedMessageIds().isEmpty());
        assertEquals(List.of("ext-1"), mixpanel.deletions().deletedDistinctIds());
    }

    @Test
    void aMissingOrRefusedGdprTokenIsAConfigurationErrorNotAVerdict() {
        secrets.put(SECRET_ID, secret(null));
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        run(p, message(List.of(open("e1", "b-1", "ext-1"))));
        ExportResult missing = run(p, message(List.of(deleteRequest("d1", "b-1"))));
        assertEquals(Map.of("deletion_credentials", 1L), missing.ledger().totals().reasons(Outcome.RETRY));

        secrets.put(SECRET_ID, secret("a-revoked-token"));
        ExportPipeline p2 = pipeline(FileDeletionState.inMemory());
        run(p2, message(List.of(open("e1", "b-1", "ext-1"))));
        ExportResult refused = run(p2, message(List.of(deleteRequest("d1", "b-1"))));
        assertEquals(Map.of("deletion_credentials", 1L), refused.ledger().totals().reasons(Outcome.RETRY));
        assertEquals(0, mixpanel.deletions().tasks().size());
        assertTrue(rejected.isEmpty());
    }

    @Test
    void taskStatusIsAskedOnLaterRunsUntilMixpanelFinishesIt() {
        FileDeletionState state = FileDeletionState.inMemory();
        ExportPipeline p = pipeline(state);
        run(p, message(List.of(open("e1", "b-1", "ext-1"))));
        run(p, message(List.of(deleteRequest("d1", "b-1"))));
        assertEquals(0, mixpanel.deletions().statusGets(), "a new task is not asked in its own run");

        run(p, message(List.of(open("e2", "b-2", "ext-2"))));
        assertEquals(0, mixpanel.deletions().statusGets(), "asked again only after an hour");

        clock.advance(Duration.ofMinutes(61));
        run(p, message(List.of(open("e3", "b-3", "ext-3"))));
        assertEquals(1, mixpanel.deletions().statusGets());
        assertEquals("PENDING", state.tasks().get(0).status());

        mixpanel.deletions().finishAll();
        clock.advance(Duration.ofMinutes(61));
        run(p, message(List.of(open("e4", "b-4", "ext-4"))));
        DeletionTask t = state.tasks().get(0);
        assertEquals("SUCCESS", t.status());
        assertTrue(t.finished());

        clock.advance(Duration.ofDays(2));
        run(p, message(List.of(open("e5", "b-5", "ext-5"))));
        assertEquals(2, mixpanel.deletions().statusGets(), "a finished task is not asked again");
    }

    @Test
    void aDeleteRequestWithoutUserIdIsRejectedWithAReason() {
        ExportPipeline p = pipeline(FileDeletionState.inMemory());
        ObjectNode bad = deleteRequest("d1", "x");
        bad.remove("user_id");
        run(p, message(List.of(bad)));
        assertEquals(1, rejected.size());
        assertEquals("invalid:deletion_without_user_id", rejected.get(0).reasonCode());
    }
}
