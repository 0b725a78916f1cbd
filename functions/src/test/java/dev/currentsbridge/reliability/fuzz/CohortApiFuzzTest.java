package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.reliability.Tries;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.fixtures.Mutations;
import dev.currentsbridge.standins.fixtures.RandomCases;
import dev.currentsbridge.standins.local.InMemoryCohortStore;
import dev.currentsbridge.standins.time.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests through {@link CohortApiHandler} as API Gateway delivers them: valid postbacks mutated at random,
 * random JSON and bytes, wrong types, huge numbers, deep nesting, long strings, more than 1000 ids, bad base64,
 * oversize bodies, and missing / wrong / revoked / malformed credentials on every route. Invariants:
 * <ul>
 *   <li>the handler always answers (nothing thrown), never 5xx for the caller's mistake, always JSON in the
 *       route's error shape with a reason;</li>
 *   <li>nothing succeeds without an active key, and a refused request writes nothing;</li>
 *   <li>no reply echoes the presented key.</li>
 * </ul>
 */
class CohortApiFuzzTest {

    static final FuzzStats STATS = new FuzzStats("cohort-api");
    private static final Set<Integer> CALLER_MISTAKES = Set.of(400, 401, 404, 405, 409, 413);

    private final ManualClock clock = new ManualClock();
    private CohortState store;
    private CohortApiHandler handler;
    private String key;
    private String keyId;
    private String revokedKey;
    private String revokedKeyId;
    private Consumer<String> oldLog;

    @BeforeEach
    void start() {
        oldLog = Log.setSink(line -> { }); // thousands of refusals: keep the test output readable
        store = InMemoryCohortStore.create();
        handler = new CohortApiHandler(store, Env.of(Map.of("TABLE_NAME", "unused")), clock);
        KeyAdmin admin = new KeyAdmin(store.keys(), clock);
        var created = admin.create("fuzz");
        key = created.secret();
        keyId = created.record().keyId();
        var revoked = admin.create("revoked");
        revokedKey = revoked.secret();
        revokedKeyId = revoked.record().keyId();
        admin.revoke(revokedKeyId);
    }

    @AfterEach
    void stop() {
        Log.setSink(oldLog);
    }

    @AfterAll
    static void print() {
        STATS.print();
    }

    @Test
    void hostileRequestsNeverCrashNorSucceedWithoutAKey() {
        RandomCases.forAll("cohort API hostile requests", Tries.scaled(1500), 0xC0A0A1L, r -> {
            Request req = request(r);
            String before = snapshot();
            APIGatewayV2HTTPResponse reply = handler.handleRequest(req.event, null);
            check(req, reply, before);
        });
    }

    /**
     * The hand-made corpus of API Gateway events ({@code fuzz/apigw}: 1001 ids, bad base64, deep nesting, odd
     * credentials...) as is, with a valid key, and with mutated bodies.
     */
    @Test
    void corpusEventsAndTheirMutations() {
        var files = Corpus.files("fuzz/apigw");
        assertTrue(files.size() >= 10, "the corpus is there");
        RandomCases.forAll("cohort API corpus", Tries.scaled(20), 0xC0A9L, r -> {
            for (var f : files) {
                APIGatewayV2HTTPEvent e = Json.MAPPER.readValue(Corpus.bytes(f), APIGatewayV2HTTPEvent.class);
                boolean withKey = r.nextBoolean() && e.getHeaders() != null && e.getHeaders().containsKey("authorization")
                        && e.getHeaders().get("authorization").startsWith("Basic ") && e.getHeaders().get("authorization").length() > 20;
                if (withKey) {
                    Map<String, String> h = new HashMap<>(e.getHeaders());
                    h.put("authorization", ApiGatewayEvents.basic("mixpanel", key));
                    e.setHeaders(h);
                }
                if (r.nextBoolean() && e.getBody() != null && !e.getIsBase64Encoded()) {
                    e.setBody(new String(Mutations.mutateBytes(r, e.getBody().getBytes(StandardCharsets.UTF_8), 3),
                            StandardCharsets.UTF_8));
                }
                String before = snapshot();
                APIGatewayV2HTTPResponse reply = handler.handleRequest(e, null);
                STATS.count("corpus events");
                assertTrue(reply.getStatusCode() < 500, f.getFileName() + ": " + reply.getBody());
                Json.MAPPER.readTree(reply.getBody());
                if (reply.getStatusCode() >= 400) {
                    assertEquals(before, snapshot(), "a refused request writes nothing");
                } else {
                    assertTrue(withKey, f.getFileName() + " succeeded without the key");
                }
            }
        });
    }

    /** Events whose envelope fields are missing or odd (no raw path, no context, named stages, null headers). */
    @Test
    void oddEventEnvelopesNeverCrash() {
        RandomCases.forAll("cohort API odd envelopes", Tries.scaled(400), 0xE4E1L, r -> {
            String body = webhook("add_members", "c1", null, ids(2)).toString();
            APIGatewayV2HTTPEvent e = ApiGatewayEvents.post("/mixpanel/webhook", body, basicAuth(key));
            String stage = RandomCases.oneOf(r, Arrays.asList(null, "$default", "prod", "mixpanel", ""));
            if (r.nextBoolean()) {
                e.setRawPath(RandomCases.oneOf(r, Arrays.asList(null, "", "/", "/prod/mixpanel/webhook", "/prod",
                        "mixpanel/webhook", "/mixpanel/webhook/")));
            }
            if (r.nextInt(4) == 0) {
                e.setRequestContext(null);
            } else {
                e.getRequestContext().setStage(stage);
                if (r.nextBoolean()) {
                    e.getRequestContext().getHttp().setPath(RandomCases.oneOf(r, Arrays.asList(null, "", "/prod/mixpanel/webhook")));
                }
                if (r.nextInt(4) == 0) {
                    e.getRequestContext().getHttp().setMethod(RandomCases.oneOf(r, Arrays.asList(null, "", "post")));
                }
                if (r.nextInt(5) == 0) {
                    e.getRequestContext().setHttp(null);
                }
            }
            if (r.nextInt(5) == 0) {
                e.setHeaders(null);
            }
            if (r.nextInt(5) == 0) {
                e.setBody(null);
            }
            String before = snapshot();
            APIGatewayV2HTTPResponse reply = handler.handleRequest(e, null);
            STATS.count("odd envelopes");
            assertTrue(reply.getStatusCode() < 500, reply.getBody());
            Json.MAPPER.readTree(reply.getBody());
            if (reply.getStatusCode() >= 400) {
                assertEquals(before, snapshot(), "a refused request writes nothing");
            }
        });
    }

    @Test
    void tooManyIdsAreRefusedWithTheDocumentedReasonOnThePartnerRouteOnly() throws IOException {
        for (int n : new int[] {1000, 1001, 5000}) {
            APIGatewayV2HTTPResponse mp = handler.handleRequest(ApiGatewayEvents.post("/mixpanel/webhook",
                    webhook("add_members", "c1", null, ids(n)).toString(), basicAuth(key)), null);
            APIGatewayV2HTTPResponse br = handler.handleRequest(ApiGatewayEvents.post("/partners/mixpanel/cohorts/users",
                    partnerUsers(key, "c2", ids(n), false).toString(), Map.of()), null);
            // Mixpanel's webhook takes any page size (a 400 would pause the sync; the full-sync page size is not
            // documented): only the 1 MiB body limit bounds it. Braze's partner shape keeps Braze's documented limit.
            assertEquals(200, mp.getStatusCode(), mp.getBody());
            if (n <= 1000) {
                assertEquals(200, br.getStatusCode(), br.getBody());
            } else {
                assertEquals(400, br.getStatusCode());
                assertEquals("Only 1,000 user_ids, device_ids, and aliases are allowed per request",
                        Json.MAPPER.readTree(br.getBody()).path("message").asText());
            }
        }
    }

    // ---- generating requests -------------------------------------------------------------------------------

    private enum Route { WEBHOOK, PARTNER_COHORT, PARTNER_USERS, OPERATOR, RANDOM_PATH }

    private enum Auth { VALID, MISSING, WRONG, REVOKED, MALFORMED, WRONG_SCHEME }

    private record Request(APIGatewayV2HTTPEvent event, Route route, Auth auth, String method, String path,
                           int bodyBytes, boolean oversize) {
    }

    private Request request(Random r) {
        Route route = RandomCases.oneOf(r, List.of(Route.values()));
        Auth auth = r.nextInt(3) == 0 ? RandomCases.oneOf(r, List.of(Auth.values())) : Auth.VALID;
        String credential = credential(r, auth);
        Map<String, String> headers = new HashMap<>();
        if (r.nextInt(10) > 0) {
            headers.put(r.nextBoolean() ? "content-type" : "Content-Type", "application/json");
        }
        String method = "POST";
        String path;
        JsonNode body;
        switch (route) {
            case WEBHOOK -> {
                path = "/mixpanel/webhook";
                body = webhook(RandomCases.oneOf(r, List.of("members", "add_members", "remove_members")),
                        "c" + r.nextInt(5), "s" + r.nextInt(3), ids(r.nextInt(8)));
                authHeader(r, auth, credential, "Basic", headers);
            }
            case PARTNER_COHORT -> {
                path = "/partners/mixpanel/cohorts";
                body = Json.MAPPER.createObjectNode().put("client_secret", credential).put("cohort_id", "c" + r.nextInt(5))
                        .put("name", "Cohort " + r.nextInt(5)).put("created_at", "2026-11-28T10:00:00Z");
                partnerAuth(auth, (ObjectNode) body);
            }
            case PARTNER_USERS -> {
                path = "/partners/mixpanel/cohorts/users";
                body = partnerUsers(credential, "c" + r.nextInt(5), ids(r.nextInt(8)), r.nextBoolean());
                partnerAuth(auth, (ObjectNode) body);
            }
            case OPERATOR -> {
                String target = RandomCases.oneOf(r, List.of("c1", "c2", "%", "%zz", "a+b", "x".repeat(300), "c1/members"));
                String[] choice = RandomCases.oneOf(r, List.of(
                        new String[] {"GET", "/cohorts"}, new String[] {"GET", "/cohorts/" + target},
                        new String[] {"PATCH", "/cohorts/" + target}, new String[] {"GET", "/cohorts/" + target + "/members"},
                        new String[] {"POST", "/keys"}, new String[] {"GET", "/keys"},
                        new String[] {"DELETE", "/keys/" + RandomCases.oneOf(r, List.of(revokedKeyId, "nosuchkey1", "%2F",
                                keyId + "x"))},
                        new String[] {"PUT", "/cohorts"}, new String[] {"DELETE", "/cohorts/c1"}));
                method = choice[0];
                path = choice[1];
                body = method.equals("PATCH")
                        ? Json.MAPPER.createObjectNode().put("sync_mode", RandomCases.oneOf(r, List.of("dynamic", "one_time", "x")))
                        : method.equals("POST") ? Json.MAPPER.createObjectNode().put("label", "fuzz " + r.nextInt(3)) : null;
                authHeader(r, auth, credential, "Bearer", headers);
            }
            default -> {
                method = RandomCases.oneOf(r, List.of("GET", "POST", "OPTIONS", "", "get", "TRACE"));
                path = RandomCases.oneOf(r, List.of("/", "", "/mixpanel", "/mixpanel/webhook/extra", "/partners",
                        "/" + RandomCases.anyString(r, 30), "/cohorts/" + "a/".repeat(50), "//cohorts//"));
                body = Mutations.randomTree(r, 3);
                authHeader(r, auth, credential, r.nextBoolean() ? "Basic" : "Bearer", headers);
            }
        }
        byte[] raw = body == null ? null : hostileBody(r, body);
        boolean oversize = false;
        if (raw != null && r.nextInt(40) == 0) { // just over the 1 MiB limit, still valid JSON
            raw = pad(raw, 1024 * 1024 + 1 + r.nextInt(1000));
            oversize = true;
        }
        String text = raw == null ? null : new String(raw, StandardCharsets.UTF_8);
        boolean base64 = false;
        if (raw != null && r.nextInt(8) == 0) {
            base64 = true;
            text = r.nextInt(3) == 0 ? "%%not base64%%" + text : Base64.getEncoder().encodeToString(raw);
        }
        Map<String, String> hs = r.nextInt(30) == 0 ? null : headers;
        APIGatewayV2HTTPEvent event = ApiGatewayEvents.event(method, path, text, base64, hs, Map.of());
        if (r.nextInt(40) == 0) {
            event.setRequestContext(null); // no method at all
        }
        int bytes = raw == null ? 0 : raw.length;
        return new Request(event, route, hs == null && route != Route.PARTNER_COHORT && route != Route.PARTNER_USERS
                ? Auth.MISSING : auth, method, path, bytes, oversize);
    }

    /** Usually the valid body, often mutated, sometimes replaced by random JSON or bytes. */
    private static byte[] hostileBody(Random r, JsonNode valid) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2 -> Mutations.toBytes(valid);
            case 3, 4, 5, 6 -> Mutations.toBytes(Mutations.mutateTree(r, valid, 3));
            case 7 -> Mutations.mutateBytes(r, Mutations.toBytes(valid), 3);
            case 8 -> Mutations.randomJson(r, 4).getBytes(StandardCharsets.UTF_8);
            default -> Mutations.randomBytes(r, r.nextInt(300));
        };
    }

    private static byte[] pad(byte[] json, int size) {
        byte[] out = new byte[Math.max(size, json.length)];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, out.length, (byte) ' ');
        return out;
    }

    private String credential(Random r, Auth auth) {
        return switch (auth) {
            case VALID, WRONG_SCHEME -> key;
            case MISSING -> null;
            case WRONG -> "cbk_" + keyId + "_" + RandomCases.string(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789-_", 43, 43);
            case REVOKED -> revokedKey;
            case MALFORMED -> RandomCases.oneOf(r,
                    () -> "",
                    () -> " ",
                    () -> key.substring(0, key.length() - 1),
                    () -> key + "A",
                    () -> key.toUpperCase(),
                    () -> "cbk_" + RandomCases.anyString(r, 60),
                    () -> "x".repeat(20_000),
                    () -> RandomCases.anyString(r, 80),
                    () -> "cbk_" + "\u00e9".repeat(10) + "_" + "a".repeat(43));
        };
    }

    private static void authHeader(Random r, Auth auth, String credential, String scheme, Map<String, String> headers) {
        if (auth == Auth.MISSING) {
            return;
        }
        String name = RandomCases.oneOf(r, List.of("Authorization", "authorization", "AUTHORIZATION"));
        boolean basic = scheme.equals("Basic");
        String value;
        if (auth == Auth.WRONG_SCHEME) { // the right key in the other route family's scheme
            value = basic ? "Bearer " + credential : ApiGatewayEvents.basic("operator", credential);
        } else if (auth == Auth.MALFORMED && r.nextBoolean()) {
            value = basic
                    ? RandomCases.oneOf(r, List.of("Basic", "Basic ", "Basic !!!notbase64", "Basic " + Base64.getEncoder()
                            .encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)), "Basic " + credential))
                    : RandomCases.oneOf(r, List.of("Bearer", "Bearer ", "Bearer\t" + credential, "bearer  " + credential + " x"));
        } else {
            value = basic ? ApiGatewayEvents.basic("mixpanel", credential) : "Bearer " + credential;
        }
        headers.put(name, value);
    }

    private static void partnerAuth(Auth auth, ObjectNode body) {
        if (auth == Auth.MISSING) {
            body.remove("client_secret");
        } else if (auth == Auth.WRONG_SCHEME) {
            body.put("client_secret", 12345); // a number where a string belongs
        }
    }

    static ObjectNode webhook(String action, String cohortId, String session, List<String> ids) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("action", action);
        ObjectNode p = root.putObject("parameters");
        p.put("mixpanel_project_id", "123").put("mixpanel_cohort_name", "Cohort " + cohortId)
                .put("mixpanel_cohort_id", cohortId).put("mixpanel_cohort_description", "fuzz");
        if (session != null) {
            p.put("mixpanel_session_id", session);
            p.putObject("page_info").put("total_pages", 1).put("page_count", 1);
        }
        ArrayNode members = p.putArray("members");
        for (String id : ids) {
            members.addObject().put("email", id + "@example.com").put("mixpanel_distinct_id", id).put("phone", "+14155550100");
        }
        return root;
    }

    static ObjectNode partnerUsers(String secret, String cohortId, List<String> ids, boolean remove) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("client_secret", secret).put("cohort_id", cohortId);
        ObjectNode change = root.putArray("cohort_changes").addObject();
        ids.forEach(change.putArray("user_ids")::add);
        change.put("should_remove", remove);
        return root;
    }

    static List<String> ids(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add("user-" + i);
        }
        return ids;
    }

    private static Map<String, String> basicAuth(String key) {
        return Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key));
    }

    // ---- invariants ----------------------------------------------------------------------------------------

    private void check(Request req, APIGatewayV2HTTPResponse reply, String before) throws IOException {
        assertNotNull(reply, "an answer");
        int status = reply.getStatusCode();
        STATS.count("requests");
        STATS.count("status " + status);
        assertTrue(status < 500, "never 5xx for the caller's mistake: " + status + " " + reply.getBody());
        assertTrue(status == 200 || status == 201 || CALLER_MISTAKES.contains(status), "documented status: " + status);
        JsonNode body = Json.MAPPER.readTree(reply.getBody());
        assertNotNull(body, "a JSON body");
        assertFalse(reply.getBody().contains(key), "the presented key is never echoed");
        assertFalse(reply.getBody().contains(revokedKey), "the presented key is never echoed");
        if (status >= 400) {
            boolean mixpanelShape = req.path.startsWith("/mixpanel/");
            String message = mixpanelShape ? body.path("error").path("message").asText() : body.path("message").asText();
            assertFalse(message.isBlank(), "a refusal names its reason: " + reply.getBody());
            if (mixpanelShape) {
                assertEquals("failure", body.path("status").asText());
                assertEquals(status, body.path("error").path("code").asInt());
            }
            assertEquals(before, snapshot(), "a refused request writes nothing");
            STATS.count("refused: " + (message.startsWith("no such route") ? "no such route" : message.replaceAll("\\d+", "N")));
        } else {
            assertEquals(Auth.VALID, req.auth, () -> "success needs an active key: " + req.route + " " + req.method + " "
                    + req.path + " " + req.event.getHeaders() + " " + req.event.getBody());
            assertFalse(req.oversize, "bodies over 1 MiB are refused");
        }
        if (req.oversize) {
            assertEquals(413, status, "a body over 1 MiB is refused first, whatever else is wrong");
        }
    }

    /** What a refused request must not change (key last-used times excluded: authentication may touch them). */
    String snapshot() {
        StringBuilder sb = new StringBuilder();
        for (Cohort c : store.registry().listCohorts()) {
            sb.append(c.id()).append('|').append(c.name()).append('|').append(c.syncMode()).append('|')
                    .append(c.status()).append('|').append(c.lastPostbackAt()).append('|')
                    .append(store.postbacks().unfoldedChanges(c.id()).size()).append('|')
                    .append(store.postbacks().openSessions(c.id()).stream().map(s -> s.sessionId() + ":"
                            + store.postbacks().sessionPages(c.id(), s.sessionId()).size()).collect(Collectors.joining(",")))
                    .append('\n');
        }
        store.keys().listKeys().forEach(k -> sb.append(k.keyId()).append(k.revokedAt()).append('\n'));
        return sb.toString();
    }
}
