package dev.currentsbridge.standins.braze;

import dev.currentsbridge.standins.recording.OutputFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes each {@code /users/track} body that passed the request-level checks, byte for byte, to
 * {@code <dir>/users-track-<run>-<n>.json}: local mode's and the dry runs' Braze output.
 */
public final class TrackRecorder {

    private final OutputFiles files;

    public TrackRecorder(Path dir) {
        this.files = new OutputFiles(dir, "users-track", ".json");
    }

    public Path dir() {
        return files.dir();
    }

    void record(byte[] body) throws IOException {
        files.write(body);
    }
}
