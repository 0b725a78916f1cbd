package dev.currentsbridge.standins.local;

import dev.currentsbridge.export.port.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * "S3" for local mode: {@code s3://bucket/key} is the file {@code <root>/bucket/key}, so S3 notification
 * samples can point at Currents Avro files on disk.
 */
public final class DirectoryObjectSource implements ObjectSource {

    private final Path root;

    public DirectoryObjectSource(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public InputStream open(String bucket, String key) throws IOException {
        Path file = root.resolve(bucket).resolve(key).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            throw new ObjectNotFoundException("no such object: s3://" + bucket + "/" + key);
        }
        return Files.newInputStream(file);
    }
}
