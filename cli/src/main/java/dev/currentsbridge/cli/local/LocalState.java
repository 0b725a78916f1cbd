package dev.currentsbridge.cli.local;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.standins.local.FileCohortStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;

/**
 * The local state directory ({@code ./.local-state}): the file-backed cohort store (cohorts, members, pending
 * changes, key hashes) plus the data import key of the local run, kept in a file readable only by the user so
 * a restart keeps the same key (it protects nothing but a loopback server).
 *
 * <p>{@code bridge local} holds a lock on the directory: the file store keeps its state in memory, so a
 * second process writing the same files would be overwritten.
 */
public final class LocalState implements AutoCloseable {

    private static final String LOCK = ".lock";
    private static final String KEY_FILE = "local-data-import-key";

    /** The data import key of the local run; {@code created} is false when an earlier run's key was reused. */
    public record LocalKey(String keyId, String secret, boolean created) {
        @Override
        public String toString() {
            return "LocalKey[" + keyId + "]";
        }
    }

    private final Path dir;
    private final CohortState store;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private LocalState(Path dir, CohortState store, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.store = store;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens the state for {@code bridge local}, locking it. */
    public static LocalState openExclusive(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new CliException("another 'bridge local' is using " + dir + " (stop it or pass --state DIR; while it runs, its /keys routes manage keys)");
            }
            return new LocalState(dir, openStore(dir), ch, lock);
        } catch (IOException e) {
            throw new CliException("cannot open local state " + dir + ": " + e.getMessage());
        }
    }

    private static CohortState openStore(Path dir) {
        try {
            return FileCohortStore.open(dir);
        } catch (UncheckedIOException e) {
            throw new CliException("cannot read the local cohort store in " + dir + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
        }
    }

    public Path dir() {
        return dir;
    }

    public CohortState store() {
        return store;
    }

    /** Reuses the previous run's key while it is still active, else creates one. */
    public LocalKey localKey(Clock clock) {
        KeyAdmin admin = new KeyAdmin(store.keys(), clock);
        Path file = dir.resolve(KEY_FILE);
        Optional<String> previous = readSecretFile(file);
        if (previous.isPresent()) {
            var record = admin.authenticate(previous.get());
            if (record.isPresent()) {
                return new LocalKey(record.get().keyId(), previous.get(), false);
            }
        }
        CreatedKey created = admin.create("bridge local");
        writeSecretFile(file, created.secret());
        return new LocalKey(created.record().keyId(), created.secret(), true);
    }

    private static Optional<String> readSecretFile(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).strip()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void writeSecretFile(Path file, String value) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, value + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions apply
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the process is ending; the OS drops the lock anyway
        }
    }
}
