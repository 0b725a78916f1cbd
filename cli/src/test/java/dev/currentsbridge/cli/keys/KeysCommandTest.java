package dev.currentsbridge.cli.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SystemAwsKeys;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.standins.aws.Dynalite;
import dev.currentsbridge.standins.local.FileCohortStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code bridge keys} against the local store and against DynamoDB (dynalite on loopback). */
class KeysCommandTest {

    private static final Pattern KEY = Pattern.compile("(?m)^  (cbk_([a-z0-9]{10})_\\S+)$");

    @TempDir
    Path tmp;

    @Test
    void createPrintsTheKeyOnceListNeverShowsItRevokeTakesEffectAtOnce() {
        String state = tmp.resolve("state").toString();
        Cli.Result created = Cli.run("keys", "create", "--label", "mixpanel prod", "--state", state,
                "--api-url", "https://abc.execute-api.eu-west-1.amazonaws.com/");
        assertEquals(0, created.exitCode(), created.toString());
        Matcher m = KEY.matcher(created.out());
        assertTrue(m.find(), created.out());
        String key = m.group(1);
        String id = m.group(2);
        assertTrue(created.out().contains("https://abc.execute-api.eu-west-1.amazonaws.com/mixpanel/webhook"), created.out());
        assertTrue(authenticates(state, key));

        Cli.Result list = Cli.run("keys", "list", "--state", state);
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains(id) && list.out().contains("mixpanel prod") && list.out().contains("active"), list.out());
        assertFalse(list.out().contains(key), "list must never show a key");
        assertFalse(list.out().contains(key.substring(16)), "list must never show a key");

        Cli.Result revoked = Cli.run("keys", "revoke", id, "--state", state);
        assertEquals(0, revoked.exitCode(), revoked.toString());
        assertFalse(authenticates(state, key), "a revoked key must be refused on the next request");
        assertTrue(Cli.run("keys", "list", "--state", state).out().contains("revoked "));
    }

    @Test
    void rolesAndProjectBinding() {
        String state = tmp.resolve("state").toString();
        Cli.Result admin = Cli.run("keys", "create", "--role", "admin", "--label", "ops", "--state", state);
        assertEquals(0, admin.exitCode(), admin.toString());
        assertTrue(admin.out().startsWith("created admin key "), admin.out());
        assertTrue(admin.out().contains("Authorization: Bearer <key>"), admin.out());
        Cli.Result postback = Cli.run("keys", "create", "--project", "123", "--label", "mixpanel", "--state", state);
        assertEquals(0, postback.exitCode(), postback.toString());
        assertTrue(postback.out().startsWith("created postback key ") && postback.out().contains("project 123 only"),
                postback.out());
        Matcher m = KEY.matcher(postback.out());
        assertTrue(m.find());
        var record = new KeyAdmin(FileCohortStore.open(Path.of(state)).keys(), Clock.systemUTC()).authenticate(m.group(1))
                .orElseThrow();
        assertEquals(KeyRole.POSTBACK, record.role());
        assertEquals("123", record.projectId());
        String list = Cli.run("keys", "list", "--state", state).out();
        assertTrue(list.lines().anyMatch(l -> l.contains(" admin ") && l.contains("ops")), list);
        assertTrue(list.lines().anyMatch(l -> l.contains(" postback ") && l.contains(" 123 ") && l.contains("mixpanel")), list);
        assertOneLine(Cli.run("keys", "create", "--role", "owner", "--state", state), 2, "--role: postback or admin");
        assertOneLine(Cli.run("keys", "create", "--role", "admin", "--project", "1", "--state", state), 2,
                "only postback keys are bound to a project");
    }

    @Test
    void listShowsLastUse() {
        String state = tmp.resolve("state").toString();
        Matcher m = KEY.matcher(Cli.run("keys", "create", "--state", state).out());
        assertTrue(m.find());
        assertTrue(authenticates(state, m.group(1)));
        String list = Cli.run("keys", "list", "--state", state).out();
        assertFalse(list.lines().skip(1).anyMatch(l -> l.contains("never")), list);
    }

    @Test
    void usageErrorsAreOneLine() {
        String state = tmp.resolve("state").toString();
        assertOneLine(Cli.run("keys", "--state", state), 2, "say what to do: create, list or revoke");
        assertOneLine(Cli.run("keys", "rotate", "--state", state), 2, "unknown action 'rotate'");
        assertOneLine(Cli.run("keys", "revoke", "--state", state), 2, "revoke needs exactly one KEY_ID");
        assertOneLine(Cli.run("keys", "revoke", "nosuchkey0", "--state", state), 1, "no key with id 'nosuchkey0'");
    }

    @Test
    void worksAgainstADynamoDbTable() {
        Dynalite dynalite = Dynalite.shared();
        String table;
        try (DynamoDbClient client = dynalite.client()) {
            table = dynalite.newCohortTable(client);
        }
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint().toString(),
                "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");
        try (SystemAwsKeys keys = SystemAwsKeys.use("test", "test")) {
            Cli.Result created = Cli.run(env, "keys", "create", "--table", table, "--region", "us-east-1");
            assertEquals(0, created.exitCode(), created.toString());
            assertTrue(created.out().contains("DynamoDB table " + table), created.out());
            Matcher m = KEY.matcher(created.out());
            assertTrue(m.find(), created.out());

            Cli.Result list = Cli.run(env, "keys", "list", "--table", table);
            assertTrue(list.out().contains(m.group(2)), list.toString());
            assertFalse(list.out().contains(m.group(1)));

            assertEquals(0, Cli.run(env, "keys", "revoke", m.group(2), "--table", table).exitCode());
            try (DynamoDbClient client = dynalite.client()) {
                assertTrue(new KeyAdmin(CohortStores.dynamo(client, table).keys(), Clock.systemUTC())
                        .authenticate(m.group(1)).isEmpty());
            }

            Cli.Result missing = Cli.run(env, "keys", "list", "--table", "no-such-table");
            assertOneLine(missing, 1, "DynamoDB table no-such-table");
        }
    }

    private static boolean authenticates(String state, String key) {
        return new KeyAdmin(FileCohortStore.open(Path.of(state)).keys(), Clock.systemUTC()).authenticate(key).isPresent();
    }

    private static void assertOneLine(Cli.Result r, int code, String expected) {
        assertEquals(code, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains(expected), r.toString());
    }
}
