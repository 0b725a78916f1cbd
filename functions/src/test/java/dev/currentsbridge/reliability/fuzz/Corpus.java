package dev.currentsbridge.reliability.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files of a test-resource directory ({@code fuzz/...}, {@code regressions/...}), sorted by name. */
final class Corpus {

    private Corpus() {
    }

    static List<Path> files(String resourceDir) {
        URL url = Corpus.class.getResource("/" + resourceDir);
        if (url == null) {
            throw new IllegalStateException("no test resource directory " + resourceDir);
        }
        try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
