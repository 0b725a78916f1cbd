package dev.currentsbridge.standins.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.standins.recording.OutputFiles;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.port.RejectSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rejects queue of local mode and of the backfill: one NDJSON file per call under {@code dir}, each line
 * the reject as the SQS rejects queue would carry it (reason, detail, type, origin, original event).
 */
public final class FileRejectSink implements RejectSink {

    private final OutputFiles files;
    private final Map<String, AtomicLong> byReason = new ConcurrentHashMap<>();

    public FileRejectSink(Path dir) {
        this.files = new OutputFiles(dir, "rejects", ".ndjson");
    }

    public Path dir() {
        return files.dir();
    }

    @Override
    public List<RejectedEvent> send(List<RejectedEvent> rejects) {
        if (rejects.isEmpty()) {
            return List.of();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (RejectedEvent r : rejects) {
                ObjectNode n = Json.MAPPER.createObjectNode();
                n.put("outcome", r.outcome().label);
                n.put("reason", r.reasonCode());
                n.put("detail", r.detail());
                n.put("currents_type", r.currentsType());
                n.put("origin", r.origin());
                n.put("original", r.original());
                n.put("mixpanel_event", r.mixpanelEvent());
                out.write(Json.MAPPER.writeValueAsBytes(n));
                out.write('\n');
            }
            files.write(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rejects.forEach(r -> byReason.computeIfAbsent(r.reasonCode(), k -> new AtomicLong()).incrementAndGet());
        return List.of();
    }

    /** Rejects stored so far, by reason code. */
    public Map<String, Long> countsByReason() {
        Map<String, Long> m = new TreeMap<>();
        byReason.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long total() {
        return byReason.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
