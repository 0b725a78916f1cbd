package dev.currentsbridge.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.SampleJson;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Pushes sample files through the running local system, each the way it would reach AWS: Currents events and
 * S3 notifications onto the export queue, HTTP-connector batches and API Gateway samples as real HTTP requests
 * to the local API (with the local data import key and Currents token put in for the placeholders), scheduled
 * events as a refresh run. The kind of each file is read from its content, not its name.
 */
public final class Replay {

    /** What a sample file is. Replayed in this order, so webhooks come after the events and before the refresh. */
    public enum Kind {
        CURRENTS_EVENT("Currents event (storage form) -> export queue"),
        CURRENTS_BATCH("Currents HTTP-connector batch -> POST /currents"),
        AVRO_FILE("Currents Avro file -> S3 notification -> export queue"),
        SQS_EVENT("SQS event -> its messages onto the export queue"),
        EXPORT_MESSAGE("S3/SNS/EventBridge notification -> export queue"),
        HTTP_API("API Gateway request -> local API"),
        SCHEDULE("scheduled event -> cohort refresh"),
        UNKNOWN("not a recognised sample");

        public final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /** One replayed file and what happened (HTTP status for requests). */
    public record Item(Path file, Kind kind, String outcome) {
    }

    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding", "http2-settings", "te", "trailer", "keep-alive");
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private final LocalSystem system;
    private final URI apiBase;
    private final Runnable refresh;
    private final HttpClient http;
    private final Placeholders placeholders;

    /**
     * @param refresh runs one cohort refresh (for scheduled-event samples)
     */
    public Replay(LocalSystem system, URI apiBase, String dataImportKey, Runnable refresh, HttpClient http) {
        this.system = system;
        this.apiBase = apiBase;
        this.placeholders = new Placeholders(dataImportKey, system.currentsToken());
        this.refresh = refresh;
        this.http = http;
    }

    /** Expands folders recursively (sorted); missing paths are an error. */
    public static List<Path> files(List<String> args) {
        List<Path> files = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (!Files.exists(p)) {
                throw new CliException("--replay: no such file or directory: " + a);
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .filter(f -> !f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md"))
                            .sorted(Comparator.comparing(Path::toString))
                            .forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new CliException("--replay: cannot list " + a + ": " + e.getMessage());
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    public List<Item> run(List<Path> files) {
        Map<Kind, List<Path>> byKind = new EnumMap<>(Kind.class);
        Map<Path, JsonNode> parsed = new LinkedHashMap<>();
        for (Path f : files) {
            JsonNode json = readJson(f);
            parsed.put(f, json);
            byKind.computeIfAbsent(json == null ? (isAvro(f) ? Kind.AVRO_FILE : Kind.UNKNOWN) : classify(json),
                    k -> new ArrayList<>()).add(f);
        }
        // Requests that write before those that read: status samples then see the cohorts the webhooks created.
        byKind.getOrDefault(Kind.HTTP_API, new ArrayList<>()).sort(Comparator.comparing(
                (Path f) -> parsed.get(f).path("requestContext").path("http").path("method").asText("").equals("GET")));
        List<Item> items = new ArrayList<>();
        for (Map.Entry<Kind, List<Path>> e : byKind.entrySet()) {
            for (Path f : e.getValue()) {
                items.add(new Item(f, e.getKey(), replay(f, e.getKey(), parsed.get(f))));
            }
        }
        return items;
    }

    static Kind classify(JsonNode n) {
        if (!n.isObject()) {
            return Kind.UNKNOWN;
        }
        JsonNode records = n.path("Records");
        if (records.isArray() && !records.isEmpty()) {
            String source = records.get(0).path("eventSource").asText(records.get(0).path("EventSource").asText(""));
            return source.equals("aws:sqs") ? Kind.SQS_EVENT : Kind.EXPORT_MESSAGE;
        }
        if ("Notification".equals(n.path("Type").asText(null)) || "aws.s3".equals(n.path("source").asText(null))
                || "s3:TestEvent".equals(n.path("Event").asText(null))) {
            return Kind.EXPORT_MESSAGE;
        }
        if ("Scheduled Event".equals(n.path("detail-type").asText(null))) {
            return Kind.SCHEDULE;
        }
        if (n.path("requestContext").isObject() && (n.has("routeKey") || n.has("rawPath"))) {
            return Kind.HTTP_API;
        }
        if (n.path("events").isArray()) {
            return Kind.CURRENTS_BATCH;
        }
        if (n.has("id") && n.has("time")) {
            return Kind.CURRENTS_EVENT;
        }
        return Kind.UNKNOWN;
    }

    private String replay(Path f, Kind kind, JsonNode json) {
        try {
            return switch (kind) {
                case CURRENTS_EVENT -> {
                    Map<String, String> attrs = new LinkedHashMap<>();
                    if (!json.path("event_type").isTextual()) {
                        attrs.put("event_type", typeFromFileName(f));
                    }
                    system.exportQueue().send(json.toString(), attrs);
                    yield "queued";
                }
                case SQS_EVENT -> {
                    int n = 0;
                    for (JsonNode r : json.get("Records")) {
                        Map<String, String> attrs = new LinkedHashMap<>();
                        r.path("messageAttributes").fields().forEachRemaining(a -> {
                            if (a.getValue().path("stringValue").isTextual()) {
                                attrs.put(a.getKey(), a.getValue().path("stringValue").asText());
                            }
                        });
                        system.exportQueue().send(r.path("body").asText(""), attrs);
                        n++;
                    }
                    yield n + " message(s) queued";
                }
                case EXPORT_MESSAGE -> {
                    system.exportQueue().send(json.toString());
                    yield "queued";
                }
                case AVRO_FILE -> {
                    Path root = system.objects().root();
                    Path abs = f.toAbsolutePath().normalize();
                    if (!abs.startsWith(root) || root.relativize(abs).getNameCount() < 2) {
                        yield "skipped: Avro files must be under the S3 root " + root + " (<root>/<bucket>/<key>)";
                    }
                    Path rel = root.relativize(abs);
                    system.exportQueue().send(s3Notification(rel.getName(0).toString(),
                            rel.subpath(1, rel.getNameCount()).toString().replace('\\', '/')));
                    yield "queued";
                }
                case CURRENTS_BATCH -> {
                    int status = send("POST", "/currents", "", Map.of("content-type", "application/json",
                            "authorization", "Bearer " + system.currentsToken(), "braze-currents-version", "1"),
                            Files.readAllBytes(f));
                    yield "HTTP " + status;
                }
                case HTTP_API -> "HTTP " + sendApiEvent(json);
                case SCHEDULE -> {
                    refresh.run();
                    yield "refresh ran";
                }
                case UNKNOWN -> "skipped: " + kind.description;
            };
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Currents sample files are named after their type: {@code users.messages.email.Open.json}. */
    private static String typeFromFileName(Path f) {
        String name = f.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    private static String s3Notification(String bucket, String key) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("eventVersion", "2.1").put("eventSource", "aws:s3").put("awsRegion", "local")
                .put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = record.putObject("s3");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        s3.putObject("object").put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("Records").add(record);
        return root.toString();
    }

    private int sendApiEvent(JsonNode sample) throws IOException, InterruptedException {
        ObjectNode e = sample.deepCopy();
        placeholders.apply(e);
        JsonNode httpCtx = e.path("requestContext").path("http");
        String method = httpCtx.path("method").asText(e.path("routeKey").asText("POST /").split(" ")[0]);
        String path = e.path("rawPath").asText(httpCtx.path("path").asText("/"));
        Map<String, String> headers = new LinkedHashMap<>();
        e.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT),
                h.getValue().asText()));
        if (e.path("cookies").isArray() && !e.path("cookies").isEmpty()) {
            List<String> cookies = new ArrayList<>();
            e.path("cookies").forEach(c -> cookies.add(c.asText()));
            headers.put("cookie", String.join("; ", cookies));
        }
        byte[] body = new byte[0];
        if (e.path("body").isTextual()) {
            body = e.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(e.path("body").asText())
                    : e.path("body").asText().getBytes(StandardCharsets.UTF_8);
        }
        return send(method, path, e.path("rawQueryString").asText(""), headers, body);
    }

    private int send(String method, String path, String rawQuery, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException {
        String base = apiBase.toString();
        URI uri = URI.create(base + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((k, v) -> {
            if (!RESTRICTED_HEADERS.contains(k)) {
                b.header(k, v);
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static JsonNode readJson(Path f) {
        try {
            if (isAvro(f)) {
                return null;
            }
            return SampleJson.MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isAvro(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] head = in.readNBytes(4);
            return java.util.Arrays.equals(head, AVRO_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }
}
