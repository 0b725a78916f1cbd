package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Local mode's (and the backfill's) rejects folder: NDJSON files of {@code FileRejectSink}, one reject a line.
 * Deleting rewrites a file without the deleted lines (a file left empty is removed).
 */
final class FileRejectStore implements RejectStore {

    private final Path dir;

    FileRejectStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public String describe() {
        return "rejects folder " + dir;
    }

    @Override
    public List<StoredReject> read(int max) {
        if (!Files.isDirectory(dir)) {
            throw new CliException("no rejects folder " + dir + " (give --rejects DIR, or --queue-url for the deployed queue)");
        }
        List<StoredReject> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".ndjson")
                    && !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size() && all.size() < max; i++) {
                    if (!lines.get(i).isBlank()) {
                        String id = f.getFileName() + ":" + (i + 1);
                        all.add(StoredReject.parse(id, id, lines.get(i)));
                    }
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot read " + dir + ": " + e.getMessage());
        }
        return all;
    }

    @Override
    public int delete(List<StoredReject> rejects) {
        Map<String, Set<Integer>> byFile = new HashMap<>();
        for (StoredReject r : rejects) {
            int colon = r.handle().lastIndexOf(':');
            byFile.computeIfAbsent(r.handle().substring(0, colon), k -> new HashSet<>())
                    .add(Integer.parseInt(r.handle().substring(colon + 1)));
        }
        int deleted = 0;
        for (Map.Entry<String, Set<Integer>> e : byFile.entrySet()) {
            Path f = dir.resolve(e.getKey());
            try {
                List<String> lines = Files.readAllLines(f);
                List<String> kept = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    if (e.getValue().contains(i + 1)) {
                        deleted++;
                    } else if (!lines.get(i).isBlank()) {
                        kept.add(lines.get(i));
                    }
                }
                if (kept.isEmpty()) {
                    Files.delete(f);
                } else {
                    Path tmp = dir.resolve("." + e.getKey() + ".tmp");
                    Files.write(tmp, kept);
                    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException ex) {
                throw new CliException("cannot rewrite " + f + ": " + ex.getMessage());
            }
        }
        return deleted;
    }

    @Override
    public void release(List<StoredReject> rejects) {
        // Files need no release: nothing was taken.
    }

    @Override
    public void close() {
    }
}
