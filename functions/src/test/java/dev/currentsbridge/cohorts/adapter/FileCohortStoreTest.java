package dev.currentsbridge.cohorts.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cohorts.CohortApi;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.standins.local.FileCohortStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode keeps cohort state and keys across restarts. */
class FileCohortStoreTest {

    @TempDir
    Path dir;

    @Test
    void stateSurvivesARestart() {
        CohortState first = FileCohortStore.open(dir);
        String key = new KeyAdmin(first.keys(), Clock.systemUTC()).create("local").secret();
        String body = "{\"client_secret\":\"" + key + "\",\"cohort_id\":\"c1\",\"cohort_changes\":[{\"user_ids\":[\"a\"],"
                + "\"aliases\":[{\"alias_name\":\"n#1\",\"alias_label\":\"3:\\u0000\"}]}]}";
        ApiReply r = new CohortApi(first, CohortSettings.defaults(), Clock.systemUTC()).handle(new ApiRequest("POST",
                "/partners/mixpanel/cohorts/users", Map.of(), Map.of(), body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, r.status(), r.body());
        assertTrue(Files.exists(dir.resolve(FileCohortStore.FILE_NAME)));

        CohortState reopened = FileCohortStore.open(dir);
        assertTrue(new KeyAdmin(reopened.keys(), Clock.systemUTC()).authenticate(key).isPresent());
        assertEquals("c1", reopened.registry().listCohorts().get(0).id());
        assertEquals(1, reopened.postbacks().unfoldedChanges("c1").size());
        assertEquals(List.of(MemberRef.externalId("a"), MemberRef.alias("n#1", "3:\u0000")),
                reopened.postbacks().unfoldedChanges("c1").get(0).members());
        Member applied = Member.joining(MemberRef.alias("n#1", "3:\u0000"), Instant.EPOCH).appliedAs("X", Instant.EPOCH);
        reopened.membership().writeMembers("c1", List.of(applied));
        assertEquals(List.of(applied), FileCohortStore.open(dir).membership().allMembers("c1"));
    }
}
