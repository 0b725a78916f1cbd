package dev.currentsbridge.cli.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The functions of a SAM {@code template.yaml}: logical id, Handler, Environment (with {@code Globals}
 * merged in), timeout, memory and event sources. CloudFormation intrinsics ({@code !Ref X},
 * {@code !GetAtt X.Arn}, {@code !Sub ...}) are kept as {@link Intrinsic} values: locally they name resources
 * that local stand-ins replace.
 */
public final class SamTemplate {

    /**
     * A value computed by CloudFormation at deploy time, e.g. {@code Ref CohortTable}.
     *
     * @param argument the argument as text (JSON for lists and objects)
     * @param node     the whole long form, e.g. {@code {"Fn::If": [...]}}
     */
    public record Intrinsic(String function, String argument, JsonNode node) {
        @Override
        public String toString() {
            return "!" + function + " " + argument;
        }
    }

    /** One event source of a function ({@code HttpApi}, {@code SQS}, {@code Schedule}...). */
    public record EventSource(String name, String type, JsonNode properties) {
        /** For HttpApi events: {@code POST /currents}. */
        public Optional<String> routeKey() {
            if (!type.equals("HttpApi") || properties == null) {
                return Optional.empty();
            }
            String method = properties.path("Method").asText("ANY").toUpperCase(java.util.Locale.ROOT);
            String path = properties.path("Path").asText(null);
            return path == null ? Optional.empty() : Optional.of(method + " " + path);
        }
    }

    /**
     * @param environment variable name to a literal String or an {@link Intrinsic}
     */
    public record Function(String logicalId, String handler, Map<String, Object> environment, Duration timeout,
                           int memoryMb, List<EventSource> events) {

        public String handlerClass() {
            int sep = handler.indexOf("::");
            return sep < 0 ? handler : handler.substring(0, sep);
        }

        /** The method name; Lambda's default is {@code handleRequest}. */
        public String handlerMethod() {
            int sep = handler.indexOf("::");
            return sep < 0 ? "handleRequest" : handler.substring(sep + 2);
        }
    }

    private final Path path;
    private final Map<String, Function> functions;
    private final Map<String, String> parameterDefaults;

    private SamTemplate(Path path, Map<String, Function> functions, Map<String, String> parameterDefaults) {
        this.path = path;
        this.functions = functions;
        this.parameterDefaults = parameterDefaults;
    }

    public static SamTemplate load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new CliException("template not found: " + path + " (run from the repository root or pass --template)");
        }
        JsonNode root;
        try (Reader r = Files.newBufferedReader(path)) {
            root = Json.MAPPER.valueToTree(new Yaml(new CloudFormationConstructor()).load(r));
        } catch (IOException | YAMLException | IllegalArgumentException e) {
            throw new CliException("cannot read template " + path + ": " + firstLine(e.getMessage()));
        }
        if (root == null || !root.path("Resources").isObject()) {
            throw new CliException("template " + path + " has no Resources section");
        }
        JsonNode globals = root.path("Globals").path("Function");
        Map<String, Function> functions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (!"AWS::Serverless::Function".equals(r.getValue().path("Type").asText())) {
                continue;
            }
            JsonNode props = r.getValue().path("Properties");
            String handler = text(props, globals, "Handler");
            if (handler == null) {
                throw new CliException("template " + path + ": function " + r.getKey() + " has no Handler");
            }
            Map<String, Object> env = new LinkedHashMap<>();
            addVariables(globals.path("Environment").path("Variables"), env);
            addVariables(props.path("Environment").path("Variables"), env);
            String timeout = text(props, globals, "Timeout");
            String memory = text(props, globals, "MemorySize");
            List<EventSource> events = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> ev = props.path("Events").fields(); ev.hasNext(); ) {
                Map.Entry<String, JsonNode> e = ev.next();
                events.add(new EventSource(e.getKey(), e.getValue().path("Type").asText(), e.getValue().path("Properties")));
            }
            functions.put(r.getKey(), new Function(r.getKey(), handler, env,
                    Duration.ofSeconds(parseIntOr(timeout, 3)), parseIntOr(memory, 128), List.copyOf(events)));
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Parameters").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (p.getValue().path("Default").isValueNode()) {
                defaults.put(p.getKey(), p.getValue().path("Default").asText());
            }
        }
        return new SamTemplate(path, functions, defaults);
    }

    public Path path() {
        return path;
    }

    public Map<String, Function> functions() {
        return functions;
    }

    /**
     * The value a variable gets on deployment with default parameters, when that can be known locally: a
     * literal, or a {@code Ref} to a parameter with a default (empty defaults count as unset). Resources, ARNs
     * and conditions are empty: local stand-ins replace them.
     */
    public Optional<String> deployedValue(Object value) {
        if (value instanceof String s) {
            return Optional.of(s);
        }
        if (value instanceof Intrinsic i && i.function().equals("Ref")) {
            return Optional.ofNullable(parameterDefaults.get(i.argument())).filter(v -> !v.isEmpty());
        }
        return Optional.empty();
    }

    public Map<String, String> parameterDefaults() {
        return parameterDefaults;
    }

    /** The function's environment as far as it is known locally (see {@link #deployedValue}). */
    public Map<String, String> knownEnvironment(Function f) {
        Map<String, String> env = new LinkedHashMap<>();
        f.environment().forEach((k, v) -> deployedValue(v).ifPresent(value -> env.put(k, value)));
        return env;
    }

    public Function function(String logicalId) {
        Function f = functions.get(logicalId);
        if (f == null) {
            throw new CliException("no function '" + logicalId + "' in " + path + " (functions: "
                    + String.join(", ", functions.keySet()) + ")");
        }
        return f;
    }

    private static String text(JsonNode props, JsonNode globals, String field) {
        JsonNode v = props.path(field);
        if (v.isMissingNode() || v.isNull()) {
            v = globals.path(field);
        }
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static int parseIntOr(String v, int fallback) {
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback; // a !Ref to a parameter: keep Lambda's default
        }
    }

    private static void addVariables(JsonNode vars, Map<String, Object> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> v = it.next();
            into.put(v.getKey(), value(v.getValue()));
        }
    }

    /** Short-form intrinsics ({@code !Ref X}) become their long form ({@code {"Ref": "X"}}). */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    Object value = switch (node) {
                        case ScalarNode s -> constructScalar(s);
                        case SequenceNode s -> constructSequence(s);
                        case MappingNode m -> constructMapping(m);
                        default -> null;
                    };
                    return Map.of(tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag, value);
                }
            });
        }
    }

    /** A literal (as text) or an {@link Intrinsic} ({@code {"Ref": ...}}, {@code {"Fn::GetAtt": ...}}). */
    private static Object value(JsonNode v) {
        if (v.isObject() && v.size() == 1) {
            Map.Entry<String, JsonNode> only = v.fields().next();
            String fn = only.getKey().startsWith("Fn::") ? only.getKey().substring(4) : only.getKey();
            return new Intrinsic(fn, only.getValue().isValueNode() ? only.getValue().asText() : only.getValue().toString(), v);
        }
        if (v.isValueNode()) {
            return v.asText();
        }
        return new Intrinsic("Unknown", v.toString(), v);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
