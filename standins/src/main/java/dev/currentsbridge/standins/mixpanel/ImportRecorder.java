package dev.currentsbridge.standins.mixpanel;

import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.recording.OutputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes each {@code /import} body that passed the request-level checks (partial 400s included: Mixpanel read them)
 * as NDJSON to {@code <dir>/import-<run>-<n>.ndjson}: a JSON-array body one line per element, an NDJSON body as
 * sent. This is local mode's and {@code bridge export --dry-run}'s output.
 */
public final class ImportRecorder {

    private final OutputFiles files;

    public ImportRecorder(Path dir) {
        this.files = new OutputFiles(dir, "import", ".ndjson");
    }

    public Path dir() {
        return files.dir();
    }

    void record(byte[] body, boolean array, List<JsonNode> events) throws IOException {
        if (!array) {
            files.write(withTrailingNewline(body));
            return;
        }
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream(body.length + events.size());
        for (JsonNode e : events) {
            ndjson.write(Json.MAPPER.writeValueAsBytes(e));
            ndjson.write('\n');
        }
        files.write(ndjson.toByteArray());
    }

    private static byte[] withTrailingNewline(byte[] body) {
        if (body.length > 0 && body[body.length - 1] == '\n') {
            return body;
        }
        byte[] copy = Arrays.copyOf(body, body.length + 1);
        copy[body.length] = '\n';
        return copy;
    }
}
