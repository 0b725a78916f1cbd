package dev.currentsbridge.cli.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a {@code --via-queue} run stands: the queue and locations it is for, the last object enqueued (objects
 * go in key order), counts, and whether it finished. Rewritten atomically after each SendMessageBatch.
 */
final class ViaQueueCheckpoint {

    private final Path file;
    private final String queueUrl;
    private final List<String> locations;
    private String last;
    private long objects;
    private long bytes;
    private boolean complete;

    private ViaQueueCheckpoint(Path file, String queueUrl, List<String> locations) {
        this.file = file;
        this.queueUrl = queueUrl;
        this.locations = locations;
    }

    /** The default file for a queue and its locations: one per distinct run, under {@code dir}. */
    static Path defaultFile(Path dir, String queueUrl, List<String> locations) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((queueUrl + "\n" + String.join("\n", locations)).getBytes(StandardCharsets.UTF_8));
            return dir.resolve("via-queue-" + HexFormat.of().formatHex(digest, 0, 6) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the checkpoint if there is one for this queue and these locations, else starts a new one. */
    static ViaQueueCheckpoint load(Path file, String queueUrl, List<String> locations) {
        ViaQueueCheckpoint c = new ViaQueueCheckpoint(file, queueUrl, locations);
        if (!Files.exists(file)) {
            return c;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            List<String> stored = new java.util.ArrayList<>();
            n.path("locations").forEach(l -> stored.add(l.asText()));
            if (!queueUrl.equals(n.path("queue_url").asText()) || !locations.equals(stored)) {
                throw new CliException("checkpoint " + file + " is for another queue or location: give another --checkpoint");
            }
            c.last = n.path("last_object").isTextual() ? n.get("last_object").asText() : null;
            c.objects = n.path("objects").asLong();
            c.bytes = n.path("bytes").asLong();
            c.complete = n.path("complete").asBoolean();
            return c;
        } catch (IOException e) {
            throw new CliException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** The last object enqueued (an s3:// URI), or null. */
    String last() {
        return last;
    }

    long objects() {
        return objects;
    }

    long bytes() {
        return bytes;
    }

    boolean complete() {
        return complete;
    }

    Path file() {
        return file;
    }

    void advance(String lastObject, long moreObjects, long moreBytes) {
        last = lastObject;
        objects += moreObjects;
        bytes += moreBytes;
        write();
    }

    void finish() {
        complete = true;
        write();
    }

    private void write() {
        ObjectNode n = Json.MAPPER.createObjectNode().put("queue_url", queueUrl);
        locations.forEach(n.putArray("locations")::add);
        n.put("last_object", last).put("objects", objects).put("bytes", bytes).put("complete", complete);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException("cannot write checkpoint " + file + ": " + e.getMessage());
        }
    }
}
