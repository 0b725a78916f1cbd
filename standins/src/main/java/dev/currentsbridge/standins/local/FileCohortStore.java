package dev.currentsbridge.standins.local;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.standins.local.InMemoryCohortModel.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Local mode's store: the in-memory cohort state ({@link InMemoryCohortModel}) written to {@code <dir>/cohort-state.json} after every change
 * (write to a temp file, then atomic rename), read back at start, so cohort state and keys survive restarts.
 * Meant for one process and development-sized cohorts.
 */
public final class FileCohortStore {

    public static final String FILE_NAME = "cohort-state.json";

    private static final ObjectMapper MAPPER = Json.MAPPER.copy().registerModule(new SimpleModule()
            .addSerializer(Instant.class, new JsonSerializer<>() {
                @Override
                public void serialize(Instant v, JsonGenerator g, SerializerProvider p) throws IOException {
                    g.writeString(v.toString());
                }
            })
            .addDeserializer(Instant.class, new JsonDeserializer<>() {
                @Override
                public Instant deserialize(JsonParser p, DeserializationContext c) throws IOException {
                    return Instant.parse(p.getValueAsString());
                }
            }));

    private FileCohortStore() {
    }

    /** The four ports over the state in {@code dir} (created empty when there is none yet). */
    public static CohortState open(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            State state = Files.exists(file) ? MAPPER.readValue(file.toFile(), State.class) : new State();
            return InMemoryCohortStore.over(new InMemoryCohortModel(state, () -> write(file, state)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open cohort state in " + dir, e);
        }
    }

    private static void write(Path file, State state) {
        try {
            Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
            MAPPER.writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cohort state", e);
        }
    }
}
