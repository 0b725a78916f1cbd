package dev.currentsbridge.standins.aws;

import dev.currentsbridge.common.aws.JdkSdkHttpClient;
import dev.currentsbridge.common.http.SharedHttpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;

/**
 * DynamoDB stand-in for tests: dynalite (npm, in memory) as a child {@code node} process on 127.0.0.1 and a free
 * port, started through its module API. The child exits when its stdin closes, so it never outlives the JVM.
 * No transactions, no TTL expiry: code under test must not need either.
 *
 * <p>{@link #shared()} starts one instance per test JVM; give each test its own table ({@link #newCohortTable}).
 */
public final class Dynalite implements AutoCloseable {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static Dynalite shared;

    private final Process process;
    private final URI endpoint;

    private Dynalite(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static synchronized Dynalite shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
            Dynalite s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        }
        return shared;
    }

    public static Dynalite start() {
        Path dir = locate();
        String script = "const s=require(" + jsString(dir.toString()) + ")({createTableMs:0,deleteTableMs:0,updateTableMs:0});"
                + "s.listen(0,'127.0.0.1',()=>console.log('PORT '+s.address().port));"
                + "process.stdin.on('end',()=>process.exit(0));process.stdin.on('close',()=>process.exit(0));process.stdin.resume();";
        try {
            Process p = new ProcessBuilder("node", "-e", script).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PORT ")) {
                    int port = Integer.parseInt(line.substring(5).strip());
                    Thread drain = new Thread(() -> drain(out), "dynalite-output");
                    drain.setDaemon(true);
                    drain.start();
                    return new Dynalite(p, URI.create("http://127.0.0.1:" + port));
                }
                if (System.nanoTime() > until) {
                    break;
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("dynalite did not report its port (last output: " + line + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node for dynalite", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A real SDK client pointed at this instance (JDK HTTP client, dummy credentials, no retries). */
    public DynamoDbClient client() {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(new JdkSdkHttpClient(SharedHttpClient.get(), Duration.ofSeconds(20)))
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(b -> b.maxAttempts(1)).build())
                .build();
    }

    /** Creates the table as the infrastructure does (on-demand, pk/sk); the key design of functions' cohorts.adapter.CohortItems (pk/sk), for tests, benchmarks and local stand-ins. */
    public static void createCohortTable(DynamoDbClient db, String table) {
        db.createTable(b -> b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
        // Poll briefly instead of the SDK waiter, whose first retry comes after 20 s.
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (db.describeTable(b -> b.tableName(table)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("table " + table + " did not become active");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Creates a fresh cohort table (as the infrastructure would) and returns its name. */
    public String newCohortTable(DynamoDbClient client) {
        String name = "cohorts-" + ProcessHandle.current().pid() + "-" + TABLES.incrementAndGet();
        createCohortTable(client, name);
        return name;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // closing stdin only asks it to exit
        }
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // dynalite is quiet; keep the pipe from filling
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    private static Path locate() {
        String configured = System.getenv("DYNALITE_DIR");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("node_modules").resolve("dynalite");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("node_modules/dynalite not found above " + Path.of("").toAbsolutePath());
    }

    private static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
