package dev.currentsbridge.export.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.export.adapter.MixpanelHttpEngage;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.decode.AvroEventReader;
import dev.currentsbridge.export.domain.decode.CurrentsJsonDecoder;
import dev.currentsbridge.export.domain.delivery.BatchLimits;
import dev.currentsbridge.export.domain.delivery.DeliverySettings;
import dev.currentsbridge.export.domain.ledger.EventLedger;
import dev.currentsbridge.export.domain.ledger.Outcome;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import dev.currentsbridge.export.domain.mapping.ProfileTable;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import dev.currentsbridge.standins.fixtures.CurrentsSamples.CollectingSink;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.EngageEmulator;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Profile updates through the {@code /engage} lane of an export run: the real HTTP adapters against the Mixpanel
 * emulator, its answers, faults and limits; the ledger and the rejects as the {@code /import} lane keeps them.
 */
class ProfileDeliveryTest {

    private static final String TYPE = ProfileTable.PROFILE_TYPE;
    private static final String SECRET_ID = "mp";
    private static final String TOKEN = "project-token-1";

    private final MixpanelFake mixpanel = MixpanelFake.start()
            .acceptServiceAccount("sa", "sa-secret", "42");
    private final List<RejectedEvent> rejected = new CopyOnWriteArrayList<>();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private String secret = secret(TOKEN);

    {
        mixpanel.engage().acceptToken(TOKEN);
    }

    @AfterEach
    void close() {
        mixpanel.close();
    }

    private static String secret(String token) {
        ObjectNode s = Json.MAPPER.createObjectNode().put("service_account_user", "sa")
                .put("service_account_secret", "sa-secret").put("project_id", "42");
        if (token != null) {
            s.put("project_token", token);
        }
        return s.toString();
    }

    private EventLedger run(String eventTypes, List<CurrentsEvent> events) {
        MapSecretSource secrets = new MapSecretSource(Map.of(SECRET_ID, secret));
        URI base = URI.create(mixpanel.baseUrl());
        ExportSetup setup = new ExportSetup(new EventMapper(MappingConfig.parse(eventTypes, null)),
                new MixpanelHttpImport(SharedHttpClient.get(), base, secrets, SECRET_ID), r -> {
                    rejected.addAll(r);
                    return List.of();
                }, RetryPolicy.mixpanel(new SplittableRandom(7)), waits::add, DeliverySettings.defaults(2),
                BatchLimits.MIXPANEL).withEngage(new MixpanelHttpEngage(SharedHttpClient.get(), base, secrets, SECRET_ID));
        try (ExportRun run = setup.start(Deadline.none(), 10)) {
            run.open("m1");
            EventRouter router = run.router("m1", "sqs");
            events.forEach(router::accept);
            run.drain();
            return run.ledger();
        }
    }

    private static CurrentsEvent profile(String id, String user, Map<String, Object> fields) {
        return new CurrentsEvent(TYPE, id, 1_764_313_837L, user, fields);
    }

    private static List<CurrentsEvent> profiles(int n) {
        List<CurrentsEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(profile("p-" + i, "user-" + i, Map.of("first_name", "Name" + i)));
        }
        return out;
    }

    private static void assertAddsUp(EventLedger ledger, long events) {
        EventLedger.Totals t = ledger.totals();
        long sum = 0;
        for (Outcome o : Outcome.values()) {
            sum += t.get(o);
        }
        assertEquals(events, sum, "every event in exactly one bucket: " + t);
    }

    @Test
    void aProfileUpdateInAvroStorageJsonAndHttpFormGivesByteIdenticalEngageBodies() throws Exception {
        ObjectNode storage = CurrentsSamples.storageSample(TYPE);
        CollectingSink fromStorage = new CollectingSink();
        new CurrentsJsonDecoder().decodeStorage(storage, null, fromStorage);
        ObjectNode batch = Json.MAPPER.createObjectNode();
        batch.putArray("events").add(CurrentsSamples.toHttpForm(storage));
        CollectingSink fromHttp = new CollectingSink();
        new CurrentsJsonDecoder().decodeHttpBatch(batch, fromHttp);
        Schema schema = CurrentsSamples.writerSchema(TYPE, true, true);
        CollectingSink fromAvro = new CollectingSink();
        new AvroEventReader().read(new ByteArrayInputStream(CurrentsSamples.avroFile(schema,
                List.of(CurrentsSamples.toRecord(schema, storage)), CodecFactory.deflateCodec(6))), null, fromAvro);

        List<String> bodies = new ArrayList<>();
        for (CollectingSink form : List.of(fromStorage, fromHttp, fromAvro)) {
            assertEquals(1, form.accepted.size());
            mixpanel.reset();
            EventLedger ledger = run("default," + TYPE, form.accepted);
            assertEquals(1, ledger.totals().get(Outcome.IMPORTED));
            List<EngageEmulator.Request> requests = mixpanel.engage().requests();
            assertEquals(1, requests.size());
            assertEquals("0", requests.getFirst().ip(), "ip=0: no geolocation from the sender's address");
            assertTrue(requests.getFirst().strict());
            bodies.add(requests.getFirst().body());
        }
        assertEquals(bodies.get(0), bodies.get(1), "storage JSON vs HTTP batch");
        assertEquals(bodies.get(0), bodies.get(2), "storage JSON vs Avro");
        JsonNode update = Json.MAPPER.readTree(bodies.getFirst()).get(0);
        assertEquals(TOKEN, update.get("$token").asText());
        assertEquals(List.of("$token", "$distinct_id", "$set"), fieldNames(update));
        assertEquals("Jane", mixpanel.engage().profiles().get("user-01101").get("$first_name").asText());
        assertEquals(0, mixpanel.eventsImported(), "a profile update is not an /import event any more");
    }

    @Test
    void withoutTheProfileTypeSelectedNothingGoesToEngage() {
        EventLedger ledger = run("default", List.of(profile("p-1", "user-1", Map.of("first_name", "A"))));
        assertEquals(Map.of("type_not_selected", 1L), ledger.totals().reasons(Outcome.SKIPPED));
        assertEquals(List.of(), mixpanel.engage().requests());
    }

    @Test
    void updatesAreBatchedAtEngagesLimitOf2000AndEventsStillGoToImport() {
        List<CurrentsEvent> events = new ArrayList<>(profiles(2001));
        CollectingSink open = new CollectingSink();
        new CurrentsJsonDecoder().decodeStorage(CurrentsFixtures.emailOpen("e-1", "user-e"), CurrentsFixtures.EMAIL_OPEN, open);
        events.addAll(open.accepted);

        EventLedger ledger = run("default," + TYPE, events);

        assertEquals(List.of(1, 2000), mixpanel.engage().requests().stream().map(EngageEmulator.Request::updates)
                .sorted().toList(), "two requests in flight at once: either may arrive first");
        assertEquals(2001, mixpanel.engage().updatesApplied());
        assertEquals(2001, mixpanel.engage().profiles().size());
        assertEquals(1, mixpanel.eventsImported());
        assertEquals(2002, ledger.totals().get(Outcome.IMPORTED));
        assertAddsUp(ledger, 2002);
    }

    @Test
    void refusedUpdatesAreRejectedWithTheirReasonAndTheOthersCountAsDelivered() {
        mixpanel.engage().enqueue(MixpanelFake.Fault.failIndexes(1, 3));

        EventLedger ledger = run("default," + TYPE, profiles(5));

        assertEquals(3, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(2, ledger.totals().get(Outcome.REJECTED_BY_MIXPANEL));
        assertEquals(List.of("mixpanel:$set", "mixpanel:$set"), rejected.stream().map(RejectedEvent::reasonCode).toList());
        assertEquals(List.of(TYPE, TYPE), rejected.stream().map(RejectedEvent::currentsType).toList());
        assertFalse(rejected.getFirst().mixpanelEvent().contains("$token"), "a reject keeps the update, not the token");
        assertEquals(400, mixpanel.engage().requests().getFirst().status());
        assertAddsUp(ledger, 5);
    }

    @Test
    void failedRecordsInA200AnswerAreReadToo() {
        mixpanel.engage().failuresAs200(true).enqueue(MixpanelFake.Fault.failIndexes(0));

        EventLedger ledger = run("default," + TYPE, profiles(3));

        assertEquals(200, mixpanel.engage().requests().getFirst().status());
        assertEquals(2, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(Map.of("mixpanel:$set", 1L), ledger.totals().reasons(Outcome.REJECTED_BY_MIXPANEL));
        assertAddsUp(ledger, 3);
    }

    @Test
    void anUpdateMixpanelsRulesRefuseIsRejectedByReason() {
        Map<String, Object> wide = new HashMap<>();
        Map<String, Object> custom = new HashMap<>();
        for (int i = 0; i < EngageEmulator.MAX_PROFILE_PROPERTIES; i++) {
            custom.put("attr_" + i, i);
        }
        wide.put("custom_attributes", Json.MAPPER.valueToTree(custom).toString());
        EventLedger ledger = run("default," + TYPE, List.of(profile("p-wide", "user-wide", wide),
                profile("p-ok", "user-ok", Map.of("first_name", "B"))));

        assertEquals(1, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(Map.of("mixpanel:$set", 1L), ledger.totals().reasons(Outcome.REJECTED_BY_MIXPANEL));
        assertTrue(rejected.getFirst().detail().contains("2000 properties"), rejected.getFirst().detail());
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriedWithTheOnePolicy() {
        mixpanel.engage().enqueue(MixpanelFake.Fault.rateLimited(3), MixpanelFake.Fault.status(503));

        EventLedger ledger = run("default," + TYPE, profiles(4));

        assertEquals(4, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(List.of(429, 503, 200), mixpanel.engage().requests().stream()
                .map(EngageEmulator.Request::status).toList());
        assertEquals(2, waits.size());
        assertTrue(waits.getFirst().compareTo(Duration.ofSeconds(3)) >= 0, "Retry-After honoured: " + waits);
        assertEquals(4, mixpanel.engage().profiles().size());
    }

    @Test
    void aWrongTokenIsReadAgainOnceThenReturnedAsAConfigurationErrorNotAVerdict() {
        secret = secret("stale-token");

        EventLedger ledger = run("default," + TYPE, profiles(3));

        assertEquals(List.of(401, 401), mixpanel.engage().requests().stream().map(EngageEmulator.Request::status)
                .toList(), "one resend after re-reading the secret");
        assertEquals(Map.of("mixpanel_401", 3L), ledger.totals().reasons(Outcome.RETRY));
        assertEquals(List.of(), rejected);
    }

    @Test
    void aSecretWithoutProjectTokenReturnsProfilesAndStillImportsEvents() {
        secret = secret(null);
        List<CurrentsEvent> events = new ArrayList<>(profiles(2));
        CollectingSink open = new CollectingSink();
        new CurrentsJsonDecoder().decodeStorage(CurrentsFixtures.emailOpen("e-1", "user-e"), CurrentsFixtures.EMAIL_OPEN, open);
        events.addAll(open.accepted);

        List<String> logs = new CopyOnWriteArrayList<>();
        var previous = Log.setSink(logs::add);
        EventLedger ledger;
        try {
            ledger = run("default," + TYPE, events);
        } finally {
            Log.setSink(previous);
        }

        assertTrue(logs.stream().anyMatch(l -> l.contains("no project_token")), "the log says what to fix: " + logs);
        assertEquals(Map.of("mixpanel_credentials_invalid", 2L), ledger.totals().reasons(Outcome.RETRY));
        assertEquals(1, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(List.of(), mixpanel.engage().requests());
        assertEquals(List.of(), rejected);
    }

    @Test
    void skippedAndInvalidProfilesAreAccountedForBesideDeliveredOnes() {
        EventLedger ledger = run("default," + TYPE, List.of(
                profile("p-1", "user-1", Map.of("first_name", "A")),
                profile("p-2", null, Map.of("first_name", "B")),
                profile("p-3", "null", Map.of()),
                profile("p-4", "user-4", Map.of("custom_attributes", "[1,2]"))));

        assertEquals(1, ledger.totals().get(Outcome.IMPORTED));
        assertEquals(Map.of("no_external_user_id", 1L), ledger.totals().reasons(Outcome.SKIPPED));
        assertEquals(2, rejected.size());
        assertTrue(rejected.stream().allMatch(r -> r.reasonCode().startsWith("invalid:")), rejected.toString());
        assertAddsUp(ledger, 4);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
