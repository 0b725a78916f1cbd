package dev.currentsbridge.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the codebase (docs/ARCHITECTURE.md) that a refactoring could silently break. */
class ArchitectureRulesTest {

    /** The production modules whose code ships in the Lambda jar (the tests run in functions/). */
    private static final List<Path> MAIN = List.of(Path.of("../core/src/main/java/dev/currentsbridge"),
            Path.of("../aws/src/main/java/dev/currentsbridge"), Path.of("src/main/java/dev/currentsbridge"));
    /** Every module's production sources: the size rule holds for all of them, not only for what ships. */
    private static final List<Path> ALL_MAIN = List.of(Path.of("../core/src/main/java"), Path.of("../aws/src/main/java"),
            Path.of("src/main/java"), Path.of("../standins/src/main/java"), Path.of("../cli/src/main/java"),
            Path.of("../benchmarks/src/main/java"), Path.of("../infra-cdk/src/main/java"));
    /** A file past this is doing more than one job (issue 11: "no main source file over ~400 lines"). */
    private static final int MAX_MAIN_FILE_LINES = 400;
    /** A port is a small interface with one concern (issue 11: "no port over ~10 methods"). */
    private static final int MAX_PORT_METHODS = 10;
    private static final Pattern PROJECT_IMPORT = Pattern.compile("^import (?:static )?(dev\\.currentsbridge\\.[\\w.]+?)\\.(?:[A-Z][\\w]*|\\*)[\\w.*]*;",
            Pattern.MULTILINE);
    /** The packages of the handlers and their HTTP seam: the outermost ring. */
    private static final Set<String> HANDLER_PACKAGES = Set.of("dev.currentsbridge.export", "dev.currentsbridge.cohorts",
            "dev.currentsbridge.api");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
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

    @Test
    void productionCodeNeverImportsStandIns() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources(MAIN)) {
            if (Files.readString(f).contains("import dev.currentsbridge.standins.")) {
                offenders.add(f.toString());
            }
        }
        assertEquals(List.of(), offenders, "emulators, stand-ins and local adapters stay out of the Lambda code");
    }

    @Test
    void standInsImportOnlyCoreAndAws() throws IOException {
        Set<String> shipped = packagesOf(MAIN);
        List<String> offenders = new ArrayList<>();
        for (Path f : sources(List.of(Path.of("../standins/src/main/java")))) {
            for (String imported : projectImports(Files.readString(f))) {
                if (!imported.startsWith("dev.currentsbridge.standins") && !shipped.contains(imported)) {
                    offenders.add(f.getFileName() + " -> " + imported);
                }
            }
        }
        // functions' own packages (handlers, adapters) are shipped too, but standins must not reach them: Maven keeps
        // functions off its classpath; this names the rule for a reader.
        assertEquals(List.of(), offenders, "standins may import core and aws only");
    }

    @Test
    void portsImportNoAdapter() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : sources(MAIN)) {
            if (!f.toString().replace('\\', '/').contains("/port/")) {
                continue;
            }
            for (String imported : projectImports(Files.readString(f))) {
                if (imported.contains(".adapter") || imported.contains(".pipeline") || HANDLER_PACKAGES.contains(imported)) {
                    offenders.add(f.getFileName() + " -> " + imported);
                }
            }
        }
        assertEquals(List.of(), offenders, "a port names the types it carries, never who implements it or who drives it");
    }

    @Test
    void noPackageCycleThroughAPort() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Path f : sources(MAIN)) {
            String text = Files.readString(f);
            Matcher pkg = PACKAGE.matcher(text);
            assertTrue(pkg.find(), "no package line in " + f);
            Set<String> edges = graph.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
            for (String imported : projectImports(text)) {
                if (!imported.equals(pkg.group(1))) {
                    edges.add(imported);
                }
            }
        }
        assertTrue(graph.keySet().stream().filter(p -> p.endsWith(".port")).count() >= 2, "the rule must see the ports: " + graph.keySet());
        List<Set<String>> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1 && component.stream().anyMatch(p -> p.endsWith(".port"))) {
                cycles.add(component);
            }
        }
        assertEquals(List.of(), cycles, "packages that import each other through a port");
    }

    @Test
    void noMainSourceFileOverFourHundredLines() throws IOException {
        Map<String, Integer> offenders = new TreeMap<>();
        int files = 0;
        for (Path f : sources(ALL_MAIN)) {
            files++;
            int lines = Files.readAllLines(f).size();
            if (lines > MAX_MAIN_FILE_LINES) {
                offenders.put(f.toString(), lines);
            }
        }
        assertTrue(files > 200, "the rule must see every module: " + files + " files");
        assertEquals(Map.of(), offenders, "split these along a real seam");
    }

    @Test
    void noPortOverTenMethods() throws Exception {
        Map<String, Integer> offenders = new TreeMap<>();
        int ports = 0;
        for (Path f : sources(MAIN)) {
            String path = f.toString().replace('\\', '/');
            if (!path.contains("/port/")) {
                continue;
            }
            String text = Files.readString(f);
            Matcher pkg = PACKAGE.matcher(text);
            assertTrue(pkg.find());
            String name = pkg.group(1) + "." + f.getFileName().toString().replace(".java", "");
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (!type.isInterface()) {
                continue; // a record or exception a port carries
            }
            ports++;
            int methods = 0;
            for (Method m : type.getMethods()) { // inherited ones count: a port that extends another is that big
                if (!Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
                    methods++;
                }
            }
            if (methods > MAX_PORT_METHODS) {
                offenders.put(name, methods);
            }
        }
        assertTrue(ports >= 6, "the rule must see the ports: " + ports);
        assertEquals(Map.of(), offenders, "a port has one concern");
    }

    /**
     * One emulator per partner (issue 11): whatever serves HTTP and writes Mixpanel's {@code /import} answer or Braze's
     * {@code /users/track} answer lives in the emulator's package; tests, local mode and benchmarks mount that emulator
     * instead of answering themselves, so their rules cannot drift apart.
     */
    @Test
    void onePartnerEmulatorEach() throws IOException {
        List<Path> supportCode = List.of(Path.of("../standins/src/main"), Path.of("../cli/src/main"), Path.of("../benchmarks/src/main"));
        List<Path> tests = List.of(Path.of("../standins/src/test"), Path.of("../cli/src/test"), Path.of("../benchmarks/src/test"),
                Path.of("src/test/java"));
        Map<String, String> answerMarkers = Map.of("num_records_imported", "/standins/mixpanel/", "attributes_processed",
                "/standins/braze/");
        Map<String, Set<String>> servers = new TreeMap<>();
        for (Path f : sources(supportCode)) { // support code that writes a partner's answer is an emulator
            String text = Files.readString(f);
            answerMarkers.forEach((marker, home) -> {
                if (text.contains(marker)) {
                    servers.computeIfAbsent(marker, k -> new TreeSet<>()).add(f.toString().replace('\\', '/'));
                }
            });
        }
        for (Path f : sources(tests)) { // a test may read the answers, but must not serve them
            String text = Files.readString(f);
            if (f.endsWith("ArchitectureRulesTest.java") || !(text.contains("HttpExchange") || text.contains("HttpServer"))) {
                continue;
            }
            answerMarkers.forEach((marker, home) -> {
                if (text.contains(marker)) {
                    servers.computeIfAbsent(marker, k -> new TreeSet<>()).add(f.toString().replace('\\', '/'));
                }
            });
        }
        answerMarkers.forEach((marker, home) -> {
            Set<String> found = servers.getOrDefault(marker, Set.of());
            assertTrue(!found.isEmpty(), "the emulator answering with " + marker + " must be found");
            assertEquals(List.of(), found.stream().filter(f -> !f.contains(home)).toList(),
                    "only the emulator in " + home + " answers with " + marker);
        });
    }

    private static Set<String> projectImports(String source) {
        Set<String> packages = new LinkedHashSet<>();
        Matcher m = PROJECT_IMPORT.matcher(source);
        while (m.find()) {
            packages.add(m.group(1));
        }
        return packages;
    }

    private static Set<String> packagesOf(List<Path> roots) throws IOException {
        Set<String> packages = new TreeSet<>();
        for (Path f : sources(roots)) {
            Matcher pkg = PACKAGE.matcher(Files.readString(f));
            if (pkg.find()) {
                packages.add(pkg.group(1));
            }
        }
        return packages;
    }

    /** Tarjan's strongly connected components over the package import graph. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> result = new ArrayList<>();
        int[] counter = {0};
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, result, counter);
            }
        }
        return result;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
            Deque<String> stack, Set<String> onStack, List<Set<String>> result, int[] counter) {
        index.put(node, counter[0]);
        low.put(node, counter[0]++);
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!graph.containsKey(next)) {
                continue; // a package of another module (standins, cli): not shipped, not in this graph
            }
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, result, counter);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            result.add(component);
        }
    }
}
