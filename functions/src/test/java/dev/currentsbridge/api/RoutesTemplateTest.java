package dev.currentsbridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.export.CurrentsIngestHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The route table and template.yaml's HttpApi events name the same routes, served by the same functions. */
class RoutesTemplateTest {

    private static final Path TEMPLATE = Path.of("..", "template.yaml");

    @Test
    void templateRoutesAreTheTableBothWays() throws IOException {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(TEMPLATE)).path("Resources");
        Set<String> inTemplate = new TreeSet<>();
        resources.properties().forEach(resource -> {
            String handler = resource.getValue().path("Properties").path("Handler").asText("");
            resource.getValue().path("Properties").path("Events").properties().forEach(event -> {
                if ("HttpApi".equals(event.getValue().path("Type").asText())) {
                    JsonNode p = event.getValue().path("Properties");
                    inTemplate.add(describe(event.getKey(), p.path("Method").asText(), p.path("Path").asText(),
                            resource.getKey(), handler.replace("::handleRequest", "")));
                }
            });
        });
        Set<String> inTable = Routes.ALL.stream().map(r -> describe(r.id(), r.method(), r.path(),
                r.function().logicalId(), r.function().handlerClass())).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(inTable, inTemplate, "template.yaml's HttpApi events and Routes.ALL");
    }

    @Test
    void theTableNamesTheHandlerClasses() {
        assertEquals(Map.of(Routes.ApiFunction.CURRENTS_INGEST, CurrentsIngestHandler.class.getName(),
                        Routes.ApiFunction.COHORT_API, CohortApiHandler.class.getName()),
                java.util.Arrays.stream(Routes.ApiFunction.values())
                        .collect(Collectors.toMap(f -> f, Routes.ApiFunction::handlerClass)));
    }

    /** docs/COHORTS.md's route table names each cohort route once, with the role the table gives it. */
    @Test
    void theCohortDocsListEveryRouteWithItsRole() throws IOException {
        Map<String, String> documented = new java.util.TreeMap<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| `([A-Z]+ /[^`]*)` \\|.*");
        for (String line : Files.readAllLines(Path.of("..", "docs", "COHORTS.md"))) {
            if (row.matcher(line).matches()) {
                String[] cells = line.split("(?<!\\\\)\\|");
                String route = row.matcher(line).replaceFirst("$1");
                if (cells.length > 4 && documented.put(route, cells[4].strip()) != null) {
                    throw new AssertionError("documented twice: " + route);
                }
            }
        }
        Map<String, String> inTable = Routes.servedBy(Routes.ApiFunction.COHORT_API).stream()
                .collect(Collectors.toMap(Routes.Route::routeKey, r -> r.role().wire(), (a, b) -> a, java.util.TreeMap::new));
        assertEquals(inTable, documented, "docs/COHORTS.md's route table (route -> role) and Routes");
    }

    @Test
    void routeKeysAreUnique() {
        assertEquals(Routes.ALL.size(), Routes.ALL.stream().map(Routes.Route::routeKey).distinct().count());
        assertEquals(Routes.ALL.size(), Routes.ALL.stream().map(Routes.Route::id).distinct().count());
    }

    private static String describe(String id, String method, String path, String logicalId, String handlerClass) {
        return method + " " + path + " (" + id + ") -> " + logicalId + " " + handlerClass;
    }
}
