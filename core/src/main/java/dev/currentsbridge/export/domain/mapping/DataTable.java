package dev.currentsbridge.export.domain.mapping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How the mapping's data files are read (the event table and the profile table): UTF-8, tab-separated, blank lines
 * and {@code #} comments skipped, and a bad row reported with the table's name and its line number, so an edited
 * table fails at class load with a message that says where.
 */
final class DataTable {

    /** One row's check and use; throws {@link IllegalArgumentException} with what is wrong. */
    interface RowReader {
        void read(String[] columns);
    }

    /** Builds a table from a reader. */
    interface Parser<T> {
        T parse(Reader reader) throws IOException;
    }

    private DataTable() {
    }

    static <T> T resource(Class<?> owner, String resource, String name, Parser<T> parser) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(name + " resource missing: " + resource);
            }
            return parser.parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " " + resource, e);
        }
    }

    static void rows(Reader reader, String name, RowReader rowReader) throws IOException {
        BufferedReader lines = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                rowReader.read(line.split("\t", -1));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(name + " line " + number + ": " + e.getMessage(), e);
            }
        }
    }
}
