package dev.currentsbridge.standins.braze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fake's handling of user alias objects, which tests of the refresh rely on to read Braze's state. */
class BrazeFakeTest {

    private static JsonNode post(BrazeFake braze, String body) throws Exception {
        HttpResponse<String> r = SharedHttpClient.get().send(HttpRequest.newBuilder(braze.endpoint().resolve("/users/track"))
                .header("Authorization", "Bearer k").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void aliasObjectsNameUsersAndMalformedOnesGetPerObjectErrors() throws Exception {
        try (BrazeFake braze = BrazeFake.start("k")) {
            JsonNode answer = post(braze, """
                    {"attributes": [
                      {"user_alias": {"alias_name": "n1", "alias_label": "mp"}, "C": {"add": ["A", "B"]}},
                      {"user_alias": {"alias_name": "n1"}, "C": {"add": ["A"]}},
                      {"user_alias": "n1", "C": {"add": ["A"]}},
                      {"user_alias": {"alias_name": "", "alias_label": "mp"}, "C": {"add": ["A"]}},
                      {"user_alias": {"alias_name": 5, "alias_label": "mp"}, "C": {"add": ["A"]}},
                      {"C": {"add": ["A"]}},
                      {"user_alias": {"alias_name": "n1", "alias_label": "mp"}, "C": {"remove": ["B"]}}
                    ]}""");
            assertEquals(2, answer.path("attributes_processed").asInt());
            assertEquals(5, answer.path("errors").size());
            for (int i = 0; i < 4; i++) {
                JsonNode e = answer.path("errors").get(i);
                assertEquals(i + 1, e.path("index").asInt());
                assertEquals(BrazeFake.MALFORMED_ALIAS, e.path("type").asText());
            }
            assertEquals(BrazeFake.NO_IDENTIFIER, answer.path("errors").get(4).path("type").asText());
            assertEquals(Map.of(BrazeFake.alias("n1", "mp"), Set.of("A")), braze.state("C"));
            assertEquals(BrazeFake.alias("n1", "mp"), BrazeFake.user(MemberRef.alias("n1", "mp")));
            assertEquals("external_id:u1", BrazeFake.user(MemberRef.externalId("u1")));
        }
    }

    @Test
    void countingOnlyKeepsNeitherRequestsNorUsers() throws Exception {
        try (BrazeFake braze = BrazeFake.start("k").countOnly()) {
            JsonNode answer = post(braze, """
                    {"attributes": [
                      {"external_id": "u1", "C": {"add": ["A", "B"], "remove": ["Z"]}},
                      {"external_id": "u2", "C": {"add": ["A"]}},
                      {"C": {"add": ["A"]}}
                    ]}""");
            assertEquals(2, answer.path("attributes_processed").asInt());
            assertEquals(1, braze.acceptedRequests());
            assertEquals(2, braze.attributesProcessed());
            assertEquals(3, braze.arrayAdds()); // the refused object (no identifier) counts nothing
            assertEquals(1, braze.arrayRemoves());
            assertEquals(Map.of(), braze.state("C"));
            assertEquals(0, braze.requests().size());
            assertFalse(braze.knows("external_id:u1"));
        }
    }

    @Test
    void aliasKeysAreUnambiguous() {
        assertNotEquals(BrazeFake.alias("c", "a#b"), BrazeFake.alias("b#c", "a"));
        assertNotEquals(BrazeFake.alias("b\",\"c", "a"), BrazeFake.alias("c", "a\",\"b"));
    }
}
