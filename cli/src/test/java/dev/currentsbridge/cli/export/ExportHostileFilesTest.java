package dev.currentsbridge.cli.export;

import static dev.currentsbridge.cli.export.ExportOutput.assertCountsAddUp;
import static dev.currentsbridge.cli.export.ExportOutput.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.Main;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.fixtures.HostileAvro;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bridge export --dry-run} on the hostile Avro files of {@link HostileAvro} beside a good file, in a child
 * JVM with a 128 MB heap (the block-size bomb used to end the run with an OutOfMemoryError before the good file
 * was read): every hostile file is rejected with a reason into the rejects folder, the good file is exported, and
 * the command exits 0.
 */
class ExportHostileFilesTest {

    @TempDir
    Path tmp;

    @Test
    void hostileFilesAreRejectedAndTheGoodOneExportedUnder128MbOfHeap() throws Exception {
        Path input = tmp.resolve("dump");
        Files.createDirectories(input);
        Map<String, byte[]> hostile = HostileAvro.all();
        for (Map.Entry<String, byte[]> e : hostile.entrySet()) {
            Files.write(input.resolve(e.getKey()), e.getValue());
        }
        // sorted last, so the good file is read after every hostile one
        Files.write(input.resolve("zz-good.avro"), CurrentsFixtures.emailOpenAvro("good", 5, 0, CodecFactory.deflateCodec(1)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-Xss512k", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "export", "--dry-run", tmp.resolve("out").toString(),
                "--rejects", tmp.resolve("rejects").toString(), "--logs", tmp.resolve("logs").toString(),
                input.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bridge export hung");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("exporting " + (hostile.size() + 1) + " file(s)"), output);
        assertLine(output, "exported", "5");
        assertLine(output, "not delivered", "0");
        assertCountsAddUp(output);

        List<JsonNode> rejects = new ArrayList<>();
        try (Stream<Path> files = Files.list(tmp.resolve("rejects"))) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    rejects.add(Json.MAPPER.readTree(line));
                }
            }
        }
        assertEquals(hostile.size(), rejects.size(), output);
        for (String name : hostile.keySet()) {
            List<JsonNode> mine = rejects.stream().filter(r -> r.toString().contains(name)).toList();
            assertEquals(1, mine.size(), name + " has one reject: " + rejects);
            assertTrue(mine.getFirst().toString().contains("decode:"), mine.toString());
        }
        assertTrue(rejects.toString().contains("recursive Avro schema"), rejects.toString());
        assertTrue(rejects.toString().contains("Avro block over the size limit"), rejects.toString());
    }
}
