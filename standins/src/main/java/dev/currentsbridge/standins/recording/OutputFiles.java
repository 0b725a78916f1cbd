package dev.currentsbridge.standins.recording;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbered output files in one directory ({@code import-20260101-120000-0001.ndjson}), each written to a
 * temporary name and renamed, so a reader (or an interrupted run) never sees half a file.
 */
public final class OutputFiles {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private final String prefix;
    private final String suffix;
    private final String runStamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
    private final AtomicLong seq = new AtomicLong();

    public OutputFiles(Path dir, String prefix, String suffix) {
        this.dir = dir;
        this.prefix = prefix;
        this.suffix = suffix;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path write(byte[] content) throws IOException {
        Path target;
        do { // another run started in the same second wrote here: never overwrite its files
            target = dir.resolve(String.format("%s-%s-%04d%s", prefix, runStamp, seq.incrementAndGet(), suffix));
        } while (Files.exists(target));
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
