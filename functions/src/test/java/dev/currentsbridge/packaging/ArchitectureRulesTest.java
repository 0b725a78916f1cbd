package dev.currentsbridge.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the codebase (docs/ARCHITECTURE.md) that a refactoring could silently break. */
class ArchitectureRulesTest {

    /** The production modules whose code ships in the Lambda jar (the tests run in functions/). */
    private static final List<Path> MAIN = List.of(Path.of("../core/src/main/java/dev/currentsbridge"),
            Path.of("../aws/src/main/java/dev/currentsbridge"), Path.of("src/main/java/dev/currentsbridge"));
    private static final Pattern AWS_IMPORT = Pattern.compile("^import (static )?(software\\.amazon|com\\.amazonaws)\\.", Pattern.MULTILINE);
    private static final Pattern OTHER_HTTP_CLIENT = Pattern.compile(
            "^import (static )?(org\\.apache\\.hc|org\\.apache\\.http|io\\.netty|java\\.net\\.HttpURLConnection|software\\.amazon\\.awssdk\\.http\\.(apache|urlconnection|nio|crt))",
            Pattern.MULTILINE);

    private static List<Path> sources(List<Path> roots) throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().endsWith(".java")).forEach(all::add);
            }
        }
        return all;
    }

    @Test
    void domainAndPortPackagesImportNothingFromAws() throws IOException {
        List<Path> checked = new ArrayList<>();
        List<String> offenders = new ArrayList<>();
        for (Path f : sources(MAIN)) {
            String path = f.toString().replace('\\', '/');
            if (path.contains("/domain/") || path.contains("/port/") || path.contains("/model/")) {
                checked.add(f);
                if (AWS_IMPORT.matcher(Files.readString(f)).find()) {
                    offenders.add(path);
                }
            }
        }
        assertTrue(checked.size() > 40, "the rule must look at the domain: " + checked.size() + " files");
        assertEquals(List.of(), offenders, "domain/port code must be plain Java");
    }

    @Test
    void cohortPackagesDependOneWayModelThenPortsThenDomain() throws IOException {
        Path cohorts = Path.of("../core/src/main/java/dev/currentsbridge/cohorts");
        Pattern intoPortDomainOrAdapter = Pattern.compile("^import (static )?dev\\.currentsbridge\\.cohorts\\.(port|domain|adapter)\\b",
                Pattern.MULTILINE);
        Pattern intoDomainOrAdapter = Pattern.compile("^import (static )?dev\\.currentsbridge\\.cohorts\\.(domain|adapter)\\b",
                Pattern.MULTILINE);
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (Path f : sources(List.of(cohorts.resolve("model"), cohorts.resolve("port")))) {
            checked++;
            Pattern forbidden = f.getParent().endsWith("model") ? intoPortDomainOrAdapter : intoDomainOrAdapter;
            if (forbidden.matcher(Files.readString(f)).find()) {
                offenders.add(f.toString());
            }
        }
        assertTrue(checked > 10, "the rule must look at the model and the ports: " + checked + " files");
        assertEquals(List.of(), offenders, "cohorts.model imports neither ports nor domain; ports import no domain or adapter");
    }

    @Test
    void oneHttpClient() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources(MAIN)) {
            if (OTHER_HTTP_CLIENT.matcher(Files.readString(f)).find()) {
                offenders.add(f.toString());
            }
        }
        assertEquals(List.of(), offenders, "everything goes through common.http.SharedHttpClient");
    }

    @Test
    void handlersHaveANoArgConstructorForLambdaAndAnotherForTests() throws Exception {
        for (String name : List.of("dev.currentsbridge.export.ExportHandler", "dev.currentsbridge.export.CurrentsIngestHandler",
                "dev.currentsbridge.cohorts.CohortApiHandler", "dev.currentsbridge.cohorts.CohortRefreshHandler")) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            c.getConstructor(); // Lambda
            assertTrue(c.getConstructors().length >= 2, name + " needs a constructor taking its ports");
        }
    }
}
