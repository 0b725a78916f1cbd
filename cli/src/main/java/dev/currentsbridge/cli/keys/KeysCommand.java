package dev.currentsbridge.cli.keys;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.UsageException;
import dev.currentsbridge.cli.local.LocalState;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.cohorts.port.KeyStore;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code bridge keys create|list|revoke}: data import keys in the local store or a DynamoDB table. */
public final class KeysCommand implements Command {

    static final Option STATE = Option.value("state", "DIR", ".local-state", "the local store (used unless --table is given)");
    static final Option TABLE = Option.value("table", "NAME", null,
            "the deployed DynamoDB table (stack output) instead of the local store; your AWS credentials are used")
            .withEnv("TABLE_NAME");
    static final Option REGION = Option.value("region", "REGION", "us-east-1", "AWS region of the table").withEnv("AWS_REGION");
    static final Option LABEL = Option.value("label", "TEXT", "", "create: a note to recognise the key by (e.g. 'mixpanel prod')");
    static final Option ROLE = Option.value("role", "ROLE", "postback",
            "create: postback (the key you enter in Mixpanel: it can only post membership) or admin (status, members, "
                    + "sync mode, key management over HTTP)");
    static final Option PROJECT = Option.value("project", "ID", null,
            "create: bind a postback key to one Mixpanel project id (postbacks naming another project are refused)");
    static final Option API_URL = Option.value("api-url", "URL", null,
            "create: the bridge's API base URL, to print the postback URLs (default: the local one, http://127.0.0.1:3000)");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return "keys";
    }

    @Override
    public String summary() {
        return "create, list or revoke data import keys (local store or DynamoDB)";
    }

    @Override
    public String usage() {
        return "keys create [--role postback|admin] [--project ID] [--label TEXT] | keys list | keys revoke KEY_ID"
                + "   [--table NAME --region R | --state DIR]";
    }

    @Override
    public String description() {
        return """
                Mixpanel authenticates its cohort postbacks with a data import key. 'create' prints the new key
                once (only its hash is stored) with the postback URLs: a postback key (the default) is the one to
                enter in Mixpanel, an admin key is for the operator routes (/cohorts, /keys). 'list' shows ids,
                roles, creation and last use, never the keys; 'revoke' refuses the key on the very next request
                (here also the last admin key: this is the break-glass path; over HTTP that is refused).
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(STATE, TABLE, REGION, ROLE, PROJECT, LABEL, API_URL);
    }

    @Override
    public int run(Invocation inv) {
        List<String> args = inv.positionals();
        if (args.isEmpty()) {
            throw new UsageException("say what to do: create, list or revoke KEY_ID (see: bridge keys --help)");
        }
        String action = args.get(0);
        int expected = action.equals("revoke") ? 2 : 1;
        if (!List.of("create", "list", "revoke").contains(action)) {
            throw new UsageException("unknown action '" + action + "' (create, list, revoke)");
        }
        if (args.size() != expected) {
            throw new UsageException(action.equals("revoke") ? "revoke needs exactly one KEY_ID (see: bridge keys list)"
                    : "unexpected argument '" + args.get(1) + "'");
        }
        boolean dynamo = inv.lookup(TABLE).isPresent();
        String where = dynamo ? "DynamoDB table " + inv.get(TABLE) + " (" + inv.get(REGION) + ")" : "local store " + inv.get(STATE);
        try (StoreHandle store = open(inv, dynamo)) {
            KeyAdmin admin = new KeyAdmin(store.keys(), Clock.systemUTC());
            return switch (action) {
                case "create" -> create(inv, admin, where, dynamo);
                case "list" -> list(inv.out(), admin, where);
                default -> revoke(inv.out(), admin, args.get(1), where);
            };
        } catch (SdkException e) {
            throw new CliException(where + ": " + firstLine(e.getMessage()));
        }
    }

    private int create(Invocation inv, KeyAdmin admin, String where, boolean dynamo) {
        KeyRole role = KeyRole.parse(inv.get(ROLE))
                .orElseThrow(() -> new UsageException("--role: postback or admin, not '" + inv.get(ROLE) + "'"));
        CreatedKey key;
        try {
            key = admin.create(inv.get(LABEL), role, inv.lookup(PROJECT).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String api = inv.lookup(API_URL).orElse(dynamo ? "<your API URL (stack output ApiUrl)>" : "http://127.0.0.1:3000");
        api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        PrintStream out = inv.out();
        out.println("created " + role.wire() + " key " + key.record().keyId()
                + (key.record().projectId() == null ? "" : " (Mixpanel project " + key.record().projectId() + " only)")
                + " in " + where + ":");
        out.println();
        out.println("  " + key.secret());
        out.println();
        out.println("This is the only time the key is shown (only its hash is stored): copy it now.");
        if (role == KeyRole.ADMIN) {
            out.println("Operator routes:           Authorization: Bearer <key> on " + api + "/cohorts and " + api + "/keys");
            out.println("                           (do not enter an admin key in Mixpanel: create a postback key for that)");
            return 0;
        }
        out.println("Mixpanel cohort webhook:   " + api + "/mixpanel/webhook");
        out.println("                           HTTP Basic auth: any user name, password = the key");
        out.println("Braze-style partner API:   REST endpoint " + api + ", data import key = the key");
        out.println("                           (" + api + "/partners/mixpanel/cohorts, " + api + "/partners/mixpanel/cohorts/users)");
        return 0;
    }

    private int list(PrintStream out, KeyAdmin admin, String where) {
        List<KeyRecord> keys = admin.list().stream().sorted(Comparator.comparing(KeyRecord::createdAt)).toList();
        if (keys.isEmpty()) {
            out.println("no data import keys in " + where + " (create one: bridge keys create)");
            return 0;
        }
        out.printf("%-12s %-9s %-12s %-18s %-18s %-26s %s%n", "ID", "ROLE", "PROJECT", "CREATED", "LAST USED", "STATUS",
                "LABEL");
        for (KeyRecord k : keys) {
            out.printf("%-12s %-9s %-12s %-18s %-18s %-26s %s%n", k.keyId(), k.role().wire(),
                    k.projectId() == null ? "any" : k.projectId(), time(k.createdAt()),
                    k.lastUsedAt() == null ? "never" : time(k.lastUsedAt()),
                    k.active() ? "active" : "revoked " + time(k.revokedAt()), k.label() == null ? "" : k.label());
        }
        return 0;
    }

    private int revoke(PrintStream out, KeyAdmin admin, String keyId, String where) {
        boolean lastAdmin = admin.list().stream().filter(KeyRecord::activeAdmin).map(KeyRecord::keyId).toList()
                .equals(List.of(keyId));
        if (!admin.revoke(keyId)) {
            throw new CliException("no key with id '" + keyId + "' in " + where + " (see: bridge keys list)");
        }
        out.println("revoked key " + keyId + ": requests using it are refused from now on");
        if (lastAdmin) {
            out.println("that was the last admin key: the operator routes need a new one (bridge keys create --role admin)");
        }
        return 0;
    }

    private static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "request failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static StoreHandle open(Invocation inv, boolean dynamo) {
        if (dynamo) {
            Map<String, String> env = new HashMap<>(inv.environment());
            env.put("AWS_REGION", inv.get(REGION));
            DynamoDbClient client = AwsClients.fromEnvironment(Env.of(env)).dynamoDb();
            return new StoreHandle(CohortStores.dynamo(client, inv.get(TABLE)).keys(), client);
        }
        LocalState state = LocalState.openExclusive(inv.getPath(STATE));
        return new StoreHandle(state.store().keys(), state);
    }

    private record StoreHandle(KeyStore keys, AutoCloseable resource) implements AutoCloseable {
        @Override
        public void close() {
            try {
                resource.close();
            } catch (Exception e) {
                // nothing to release that matters after the command
            }
        }
    }
}
