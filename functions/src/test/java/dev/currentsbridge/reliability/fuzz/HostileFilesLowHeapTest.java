package dev.currentsbridge.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hostile Avro corpus ({@code fuzz/avro-hostile}, see {@code HostileAvro}) through the real export handler
 * in a child JVM with a 128 MB heap, as one batch with a good file: before the bounded reader, the block-size
 * bomb alone made the invocation die of an OutOfMemoryError (all messages failed, on every redelivery) and the
 * deep recursion of a StackOverflowError. Now each hostile file is rejected with a reason, none is returned for
 * retry, and the good file beside them is exported.
 */
class HostileFilesLowHeapTest {

    @Test
    void eachHostileFileIsRejectedAndTheGoodOneExportedUnder128MbOfHeap() throws Exception {
        List<Path> corpus = Corpus.files("fuzz/avro-hostile");
        assertTrue(corpus.size() >= 10, "the corpus: " + corpus);
        Path out = Files.createTempFile("hostile", ".json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-Xss512k", "-cp", System.getProperty("java.class.path"),
                HostileFilesChild.class.getName(), corpus.getFirst().getParent().toString(), out.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM hung");
        assertEquals(0, p.exitValue(), output);
        JsonNode result = Json.MAPPER.readTree(out.toFile());
        assertEquals(0, result.get("failures").size(), "nothing returned for retry: " + result);
        assertEquals(5, result.get("imported").asInt(), "the good file is exported: " + result);
        assertFalse(result.get("rejects").has("good.avro"), result.toString());
        for (Path f : corpus) {
            String id = f.getFileName().toString();
            JsonNode reasons = result.get("rejects").get(id);
            assertTrue(reasons != null && !reasons.isEmpty(), id + " is rejected: " + result);
            for (JsonNode r : reasons) {
                assertFalse(r.asText().startsWith("null") || r.asText().isBlank(), id + ": " + r);
            }
        }
        String truncatedReasons = result.get("rejects").get("truncated-block.avro").toString();
        assertTrue(truncatedReasons.contains("truncated or corrupt Avro block"), truncatedReasons);
        assertTrue(result.get("rejects").get("block-size-bomb.avro").toString().contains("over the size limit"),
                result.toString());
        assertTrue(result.get("rejects").get("recursive-schema-200000-deep.avro").toString()
                .contains("malformed:avro_limit"), result.toString());
    }
}
