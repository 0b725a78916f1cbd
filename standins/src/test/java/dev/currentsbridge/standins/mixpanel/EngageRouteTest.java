package dev.currentsbridge.standins.mixpanel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's {@code POST /engage}: Mixpanel's documented limits and answers for profile updates. */
class EngageRouteTest {

    @TempDir
    Path tmp;

    private static String update(String token, String id) {
        return "{\"$token\":\"" + token + "\",\"$distinct_id\":\"" + id + "\",\"$set\":{\"plan\":\"pro\"}}";
    }

    private static String array(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append(update("tok", "u-" + i));
        }
        return b.append(']').toString();
    }

    private static HttpResponse<String> post(MixpanelFake fake, String query, String body) throws Exception {
        return SharedHttpClient.get().send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/engage" + query))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void validUpdatesAreAppliedAndAnsweredOneOrStrictStatusOne() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok")) {
            HttpResponse<String> plain = post(fake, "?ip=0", array(2));
            assertEquals(200, plain.statusCode());
            assertEquals("1", plain.body());
            HttpResponse<String> strict = post(fake, "?ip=0&strict=1",
                    "[{\"$token\":\"tok\",\"$distinct_id\":\"u-0\",\"$unset\":[\"plan\"]}]");
            assertEquals(200, strict.statusCode());
            assertEquals(1, Json.MAPPER.readTree(strict.body()).get("status").asInt());
            assertFalse(fake.engage().profiles().get("u-0").has("plan"), "$unset removed it");
            assertEquals("pro", fake.engage().profiles().get("u-1").get("plan").asText());
            assertEquals(3, fake.engage().updatesApplied());
        }
    }

    @Test
    void anUnknownTokenIs401AndNothingIsApplied() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok")) {
            HttpResponse<String> r = post(fake, "?strict=1", "[" + update("tok", "a") + "," + update("other", "b") + "]");
            assertEquals(401, r.statusCode());
            assertEquals("error", Json.MAPPER.readTree(r.body()).get("status").asText());
            assertEquals(0, fake.engage().profiles().size());
        }
    }

    @Test
    void moreThan2000UpdatesAreRefusedWhole() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok")) {
            assertEquals(200, post(fake, "?strict=1", array(2000)).statusCode());
            fake.reset();
            HttpResponse<String> over = post(fake, "?strict=1", array(2001));
            assertEquals(400, over.statusCode());
            assertTrue(over.body().contains("2001"), over.body());
            assertEquals(0, fake.engage().profiles().size());
        }
    }

    @Test
    void invalidUpdatesAreListedByIndexUnderStrictAndTheOthersApplied() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok")) {
            String body = "[" + update("tok", "a") + ",{\"$token\":\"tok\",\"$distinct_id\":\"\",\"$set\":{}},"
                    + "{\"$token\":\"tok\",\"$distinct_id\":\"c\",\"$set\":{},\"$unset\":[]},"
                    + "{\"$token\":\"tok\",\"$distinct_id\":\"d\",\"$set\":[1]},"
                    + "{\"$token\":\"tok\",\"$distinct_id\":\"e\",\"$set\":{},\"colour\":1}]";
            HttpResponse<String> strict = post(fake, "?strict=1", body);
            assertEquals(400, strict.statusCode());
            JsonNode failed = Json.MAPPER.readTree(strict.body()).get("failed_records");
            assertEquals(List.of(1, 2, 3, 4), Stream.of(0, 1, 2, 3).map(i -> failed.get(i).get("index").asInt()).toList());
            assertEquals("$distinct_id", failed.get(0).get("field").asText());
            assertEquals(List.of("a"), List.copyOf(fake.engage().profiles().keySet()));

            HttpResponse<String> lax = post(fake, "", "[{\"$token\":\"tok\",\"$distinct_id\":\"x\"}]");
            assertEquals("0", lax.body(), "without strict, no valid update answers 0");
        }
    }

    @Test
    void anUpdateOverOneMegabyteAndAnythingButAnArrayAreRefused() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok")) {
            String part = "y".repeat(400_000); // three values: no one string over the JSON reader's own limit
            String big = "[{\"$token\":\"tok\",\"$distinct_id\":\"a\",\"$set\":{\"x\":\"" + part + "\",\"y\":\""
                    + part + "\",\"z\":\"" + part + "\"}}]";
            HttpResponse<String> r = post(fake, "?strict=1", big);
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("1 MB"), r.body());
            assertEquals(400, post(fake, "?strict=1", update("tok", "a")).statusCode(), "one object, not an array");
        }
    }

    @Test
    void faultsHaveTheirOwnQueueAndRecordingWritesEngageFiles() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start().acceptUsername("tok").recordTo(tmp)) {
            fake.engage().enqueue(MixpanelFake.Fault.rateLimited(7));
            HttpResponse<String> limited = post(fake, "?strict=1", array(1));
            assertEquals(429, limited.statusCode());
            assertEquals("7", limited.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(0, fake.pendingFaults(), "the /import queue is untouched");
            assertEquals(200, post(fake, "?strict=1", array(2)).statusCode());
            try (Stream<Path> files = Files.list(tmp)) {
                List<Path> engage = files.filter(p -> p.getFileName().toString().startsWith("engage-")).toList();
                assertEquals(1, engage.size());
                List<String> lines = Files.readAllLines(engage.getFirst(), StandardCharsets.UTF_8);
                assertEquals(List.of(update("tok", "u-0"), update("tok", "u-1")), lines);
            }
        }
    }
}
