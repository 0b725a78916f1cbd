package dev.currentsbridge.cli.export;

import dev.currentsbridge.cli.CliException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Expands the command line's inputs (files, folders walked recursively, {@code s3://bucket/prefix}). */
public final class Inputs {

    /** One file to read: {@code origin} names it in the summary and rejects; {@code path} carries {@code event_type=}. */
    public record Input(String origin, String path, long sizeBytes, Backfill.Opener opener) {
    }

    private Inputs() {
    }

    public static boolean isS3(String arg) {
        return arg.startsWith("s3://");
    }

    /** Files under {@code arg} (itself if a file), sorted, skipping hidden files and partial downloads. */
    public static List<Input> local(String arg) {
        Path p = Path.of(arg);
        if (!Files.exists(p)) {
            throw new CliException("no such file or directory: " + arg);
        }
        if (!Files.isReadable(p)) {
            throw new CliException("cannot read " + arg + ": permission denied");
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> !p.relativize(f).toString().matches("(^|.*/)\\..*"))
                        .filter(f -> !f.getFileName().toString().endsWith(".tmp"))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException | UncheckedIOException e) {
                throw new CliException("cannot list " + arg + ": " + e.getMessage());
            }
        } else {
            files.add(p);
        }
        List<Input> inputs = new ArrayList<>();
        for (Path f : files) {
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                throw new CliException("cannot read " + f + ": " + e.getMessage());
            }
            inputs.add(new Input(f.toString(), f.toString().replace('\\', '/'), size, () -> Files.newInputStream(f)));
        }
        return inputs;
    }

    /** Objects under an {@code s3://bucket/prefix}, listed with the user's credentials. */
    public static List<Input> s3(String uri, S3Client s3) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new CliException("not an S3 location: " + uri + " (expected s3://bucket/prefix)");
        }
        List<Input> inputs = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                if (o.key().endsWith("/") || o.size() == 0) {
                    continue;
                }
                String key = o.key();
                inputs.add(new Input("s3://" + bucket + "/" + key, key, o.size(),
                        () -> openObject(s3, bucket, key)));
            }
        } catch (SdkException e) {
            throw new CliException("cannot list " + uri + ": " + firstLine(e.getMessage()));
        }
        if (inputs.isEmpty()) {
            throw new CliException("no objects under " + uri);
        }
        return inputs;
    }

    /** An S3 failure while opening one object is that file's read error (counted), not a crash of the run. */
    private static java.io.InputStream openObject(S3Client s3, String bucket, String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw new IOException("s3 GetObject failed: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
