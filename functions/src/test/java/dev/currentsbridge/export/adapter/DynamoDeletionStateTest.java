package dev.currentsbridge.export.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.export.domain.deletion.CachedIdentityMap;
import dev.currentsbridge.export.port.DeletionTask;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Deletion state in the cohort table on dynalite (real SDK client): item families, TTL values, write counts. */
class DynamoDeletionStateTest {

    private final DynamoDbClient db = Dynalite.shared().client();
    private final String table = Dynalite.shared().newCohortTable(db);
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final DynamoDeletionState state = new DynamoDeletionState(db, table, clock, Duration.ofMinutes(1));

    private Map<String, AttributeValue> item(String pk, String sk) {
        return db.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk)))).item();
    }

    @Test
    void theIdentityMapIsWrittenOnceWithATtlAndRenewedNearItsEnd() {
        assertEquals(Optional.empty(), state.externalId("b-1"));
        state.remember("b-1", "ext-1");
        state.remember("b-1", "ext-1");
        assertEquals(1, state.writeRequests(), "an unchanged pair is not written again");
        assertEquals(Optional.of("ext-1"), state.externalId("b-1"));
        Map<String, AttributeValue> i = item("idmap#b-1", "idmap");
        long expires = Long.parseLong(i.get("expires_at").n());
        assertEquals(clock.instant().plus(Duration.ofDays(400)).getEpochSecond(), expires);

        state.remember("b-1", "ext-1b");
        assertEquals(2, state.writeRequests(), "a changed external id is written");
        assertEquals(Optional.of("ext-1b"), state.externalId("b-1"));

        clock.advance(Duration.ofDays(380));
        state.remember("b-1", "ext-1b");
        assertEquals(3, state.writeRequests(), "renewed when less than 30 days are left");
    }

    @Test
    void theCacheInFrontSparesTheStoreForAHotUser() {
        CachedIdentityMap cached = new CachedIdentityMap(state, 10);
        for (int i = 0; i < 1000; i++) {
            cached.remember("b-hot", "ext-hot");
        }
        assertEquals(1, state.writeRequests());
        for (int i = 0; i < 20; i++) {
            cached.remember("b-" + i, "ext-" + i);
        }
        assertEquals(10, cached.size(), "bounded");
        assertEquals(Optional.of("ext-0"), cached.externalId("b-0"), "an evicted pair is read from the table");
    }

    @Test
    void theSuppressionListIsSharedBetweenContainersWithinItsReloadTime() {
        DynamoDeletionState other = new DynamoDeletionState(db, table, clock, Duration.ofMinutes(1));
        assertFalse(other.suppressed("ext-1"));
        state.suppress("ext-1");
        assertTrue(state.suppressed("ext-1"));
        assertFalse(other.suppressed("ext-1"), "another container sees it after its reload time");
        clock.advance(Duration.ofMinutes(1));
        assertTrue(other.suppressed("ext-1"));
        assertFalse(item("suppressed", "ext-1").containsKey("expires_at"), "a suppression does not expire");
        assertTrue(new DynamoDeletionState(db, table, clock, Duration.ofMinutes(1)).suppressed("ext-1"),
                "a new container reads it");
    }

    @Test
    void tasksAreKeptAndTheFinishedOnesExpire() {
        Instant t0 = clock.instant();
        state.saveTask(new DeletionTask("task-1", 2000, "GDPR", "PENDING", t0, t0));
        state.saveTask(new DeletionTask("task-2", 5, "GDPR", "PENDING", t0, t0.plusSeconds(10)));
        assertEquals(List.of(), state.tasksToCheck(t0, 5), "none checked before t0");
        assertEquals(List.of("task-1", "task-2"), state.tasksToCheck(t0.plusSeconds(60), 5).stream()
                .map(DeletionTask::taskId).toList());
        assertEquals(1, state.tasksToCheck(t0.plusSeconds(60), 1).size());
        state.saveTask(new DeletionTask("task-1", 2000, "GDPR", "SUCCESS", t0, t0.plusSeconds(30)));
        assertEquals(List.of("task-2"), state.tasksToCheck(t0.plusSeconds(60), 5).stream()
                .map(DeletionTask::taskId).toList());
        assertEquals(t0.plus(Duration.ofDays(90)).getEpochSecond(),
                Long.parseLong(item("deletion-tasks", "task-1").get("expires_at").n()));
        assertFalse(item("deletion-tasks", "task-2").containsKey("expires_at"));
    }
}
