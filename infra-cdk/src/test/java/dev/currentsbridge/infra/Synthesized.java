package dev.currentsbridge.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

/**
 * One synthesised stack and helpers to read it (a synth costs seconds: test classes make one in
 * {@code @BeforeAll}). The Lambda asset is a placeholder directory, so no test needs the functions jar.
 */
final class Synthesized {

    final CurrentsBridgeStack stack;
    final Template template;
    final Map<String, Object> resources;
    final Map<String, Object> outputs;

    private Synthesized(CurrentsBridgeStack stack) {
        this.stack = stack;
        this.template = Template.fromStack(stack);
        Map<String, Object> json = template.toJSON();
        this.resources = map(json.get("Resources"));
        this.outputs = json.containsKey("Outputs") ? map(json.get("Outputs")) : Map.of();
    }

    private static Synthesized defaults;

    /** The stack with default settings, synthesised once per test JVM and shared by the test classes. */
    static synchronized Synthesized defaults() {
        if (defaults == null) {
            defaults = synth(CurrentsBridgeProps.builder());
        }
        return defaults;
    }

    static Synthesized synth(CurrentsBridgeProps.Builder props) {
        App app = new App(appProps());
        CurrentsBridgeStack stack = new CurrentsBridgeStack(app, "TestStack",
                StackProps.builder().env(Environment.builder().account("123456789012").region("eu-west-1").build())
                        .build(),
                props.functionsAsset(placeholderAsset()).build());
        return new Synthesized(stack);
    }

    /**
     * The {@code context} block of {@code cdk.json} (the feature flags), so the tests check what {@code cdk synth}
     * deploys rather than what a flag-less app would make.
     */
    static AppProps appProps() {
        try {
            Path cdkJson = Path.of("cdk.json");
            if (!Files.isRegularFile(cdkJson)) {
                cdkJson = Path.of("infra-cdk", "cdk.json");
            }
            Map<String, Object> json = new ObjectMapper().readValue(cdkJson.toFile(), new TypeReference<>() { });
            Object context = json.get("context");
            return AppProps.builder().context(context == null ? Map.of() : map(context)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path placeholderAsset() {
        try {
            Path dir = Files.createTempDirectory("currents-bridge-asset");
            Files.writeString(dir.resolve("placeholder.txt"), "stands in for currents-bridge-functions.jar");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Logical id to resource body, for every resource of the type. */
    Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> found = new TreeMap<>();
        resources.forEach((id, r) -> {
            Map<String, Object> res = map(r);
            if (type.equals(res.get("Type"))) {
                found.put(id, res);
            }
        });
        return found;
    }

    static Map<String, Object> props(Map<String, Object> resource) {
        return map(resource.get("Properties"));
    }

    /** The logical id of the Lambda function with this handler. */
    String functionId(String handler) {
        return ofType("AWS::Lambda::Function").entrySet().stream()
                .filter(e -> handler.equals(props(e.getValue()).get("Handler")))
                .map(Map.Entry::getKey)
                .reduce((a, b) -> {
                    throw new AssertionError("two functions with handler " + handler);
                })
                .orElseThrow(() -> new AssertionError("no function with handler " + handler));
    }

    Map<String, Object> function(String handler) {
        return props(map(resources.get(functionId(handler))));
    }

    Map<String, Object> environment(String handler) {
        return map(map(function(handler).get("Environment")).get("Variables"));
    }

    /** The role's logical id, from the function's {@code Role: {Fn::GetAtt: [role, Arn]}}. */
    String roleId(String handler) {
        List<?> getAtt = (List<?>) map(function(handler).get("Role")).get("Fn::GetAtt");
        return (String) getAtt.get(0);
    }

    /** Every policy statement attached (inline, through AWS::IAM::Policy) to the function's role. */
    List<Map<String, Object>> statements(String handler) {
        Map<String, Object> roleRef = Map.of("Ref", roleId(handler));
        List<Map<String, Object>> statements = new ArrayList<>();
        ofType("AWS::IAM::Policy").values().forEach(policy -> {
            Map<String, Object> p = props(policy);
            if (((List<?>) p.get("Roles")).contains(roleRef)) {
                ((List<?>) map(p.get("PolicyDocument")).get("Statement")).forEach(s -> statements.add(map(s)));
            }
        });
        return statements;
    }

    /** The exact set of actions the function's role is allowed. */
    Set<String> actions(String handler) {
        Set<String> actions = new TreeSet<>();
        statements(handler).forEach(s -> actions.addAll(strings(s.get("Action"))));
        return actions;
    }

    /** Resources (as template JSON) that an action is granted on, for one function. */
    List<Object> resourcesOf(String handler, String action) {
        List<Object> found = new ArrayList<>();
        statements(handler).stream()
                .filter(s -> strings(s.get("Action")).contains(action))
                .forEach(s -> {
                    Object r = s.get("Resource");
                    if (r instanceof List<?> list) {
                        found.addAll(list);
                    } else {
                        found.add(r);
                    }
                });
        return found;
    }

    /** The single logical id of a resource type whose id starts with the construct id. */
    String idOf(String type, String constructId) {
        List<String> ids = ofType(type).keySet().stream().filter(id -> id.startsWith(constructId)).toList();
        if (ids.size() != 1) {
            throw new AssertionError("expected one " + type + " named " + constructId + "*, found " + ids);
        }
        return ids.get(0);
    }

    /**
     * Whether a policy document (template JSON) denies {@code action} to everyone when the request is not TLS
     * ({@code aws:SecureTransport} false), whatever else it allows.
     */
    static boolean deniesInsecureTransport(Object document, String action) {
        return ((List<?>) map(document).get("Statement")).stream().map(Synthesized::map).anyMatch(st ->
                "Deny".equals(st.get("Effect"))
                        && ("*".equals(st.get("Principal")) || Map.of("AWS", "*").equals(st.get("Principal")))
                        && strings(st.get("Action")).contains(action)
                        && st.get("Condition") instanceof Map<?, ?> c
                        && c.get("Bool") instanceof Map<?, ?> b
                        && "false".equals(String.valueOf(b.get("aws:SecureTransport"))));
    }

    static List<String> strings(Object o) {
        if (o instanceof List<?> list) {
            return list.stream().map(String.class::cast).toList();
        }
        return List.of((String) o);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw new AssertionError("expected a JSON object, got " + o);
        }
        return new LinkedHashMap<>((Map<String, Object>) o);
    }
}
