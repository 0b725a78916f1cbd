package dev.currentsbridge.cli.invoke;

import com.amazonaws.services.lambda.runtime.Context;
import dev.currentsbridge.cli.BrazeTarget;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.SampleJson;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.UsageException;
import dev.currentsbridge.cli.local.LocalContext;
import dev.currentsbridge.cli.local.LocalLogs;
import dev.currentsbridge.cli.local.Placeholders;
import dev.currentsbridge.cli.local.LocalState;
import dev.currentsbridge.cli.local.LocalSystem;
import dev.currentsbridge.common.config.Env;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bridge invoke <FunctionLogicalId> -e <event file>}: like {@code sam local invoke}, without Docker.
 * The function's Handler from {@code template.yaml} is built through its ports constructor with local
 * stand-ins, its Environment from the template (parameter defaults resolved) overridden by the local
 * resources and {@code --env}; the event file is read into the handler's argument type exactly as the Lambda
 * Java runtime would, and the response is printed as JSON on stdout.
 */
public final class InvokeCommand implements Command {

    static final Option EVENT = Option.value("event", "FILE", null, "the event JSON file (e.g. from events-samples/)")
            .withAlias("e");
    static final Option TEMPLATE = Option.value("template", "FILE", "template.yaml", "the SAM template").withAlias("t");
    static final Option ENV = new Option("env", null, "NAME=VALUE", null, null,
            "override one environment variable of the function (repeatable)", true);
    static final Option STATE = Option.value("state", "DIR", ".local-state", "the local cohort store");
    static final Option OUT = Option.value("out", "DIR", "local-out", "dry-run output, rejects and logs");
    static final Option VERBATIM = Option.flag("verbatim",
            "send API Gateway events as they are (by default local-demo-key-0001 becomes the local data import key)");

    @Override
    public String name() {
        return "invoke";
    }

    @Override
    public String summary() {
        return "run one function of template.yaml with an event file, like 'sam local invoke' (no Docker)";
    }

    @Override
    public String usage() {
        return "invoke <FunctionLogicalId> -e <event file> [options]";
    }

    @Override
    public String description() {
        return """
                The function runs in this process with local stand-ins: the file-backed cohort store (--state), the
                export queue in memory, rejects and dry-run Mixpanel/Braze output under --out (or the real services
                with --mixpanel-secret-file / --braze-rest-endpoint + --braze-api-key-file). The response is printed
                on stdout as JSON; notes go to stderr.

                examples:
                  bridge invoke ExportFunction -e events-samples/sqs/storage-event.json
                  bridge invoke CohortApiFunction -e events-samples/apigw/webhook-members.json
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(EVENT, TEMPLATE, ENV, STATE, OUT, LocalSystem.S3_ROOT, LocalSystem.CURRENTS_TOKEN, VERBATIM,
                MixpanelTarget.SECRET_FILE, MixpanelTarget.REGION,
                MixpanelTarget.URL, BrazeTarget.ENDPOINT, BrazeTarget.KEY_FILE);
    }

    @Override
    public int run(Invocation inv) throws Exception {
        if (inv.positionals().size() != 1) {
            throw new UsageException(inv.positionals().isEmpty()
                    ? "which function? bridge invoke <FunctionLogicalId> -e <event file>"
                    : "unexpected argument '" + inv.positionals().get(1) + "'");
        }
        Path eventFile = inv.getPath(EVENT);
        if (!Files.isRegularFile(eventFile)) {
            throw new CliException("event file not found: " + eventFile);
        }
        SamTemplate template = SamTemplate.load(inv.getPath(TEMPLATE));
        SamTemplate.Function function = template.function(inv.positionals().get(0));
        Map<String, String> overrides = parseEnv(inv.all(ENV));
        Path out = inv.getPath(OUT);

        try (LocalState state = LocalState.openExclusive(inv.getPath(STATE));
             LocalLogs logs = new LocalLogs(out.resolve("logs"), null);
             MixpanelTarget mixpanel = MixpanelTarget.from(inv, out.resolve("mixpanel"), 0);
             BrazeTarget braze = BrazeTarget.from(inv, out.resolve("braze"), 0)) {
            LocalSystem system = LocalSystem.start(new LocalSystem.Settings(inv.getPath(STATE), out,
                    inv.getPath(LocalSystem.S3_ROOT), Duration.ofSeconds(30), 3, Duration.ofMinutes(15),
                    inv.require(LocalSystem.CURRENTS_TOKEN), inv.environment()),
                    state, mixpanel, braze);
            if (!system.supports(function.handlerClass())) {
                throw new CliException(function.logicalId() + ": handler class " + function.handlerClass()
                        + " has no local wiring (known: " + String.join(", ", system.supportedHandlers()) + ")");
            }
            Map<String, String> env = new LinkedHashMap<>(template.knownEnvironment(function));
            env.putAll(system.environment());
            env.putAll(overrides);
            Object handler = system.newHandler(function.handlerClass(), Env.of(env));
            Method method = handlerMethod(handler.getClass(), function);
            String json = Files.readString(eventFile);
            if (!inv.has(VERBATIM)) {
                json = withLocalSecrets(json, state, system);
            }
            Object event = EventCodec.read(json, method.getParameterTypes()[0], eventFile.toString());
            var context = LocalContext.create(function.logicalId(), function.timeout(), function.memoryMb());
            long started = System.nanoTime();
            Object response;
            try {
                response = method.getParameterCount() == 2 ? method.invoke(handler, event, context)
                        : method.invoke(handler, event);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                inv.out().println("{\"errorType\":\"" + cause.getClass().getName() + "\",\"errorMessage\":"
                        + dev.currentsbridge.common.json.Json.MAPPER.writeValueAsString(String.valueOf(cause.getMessage())) + "}");
                throw new CliException(function.logicalId() + " failed: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            inv.out().println(EventCodec.write(response));
            printNotes(inv.err(), function, ms, system, logs);
            return 0;
        }
    }

    /** API Gateway samples carry placeholder secrets (events-samples/README.md): use the local ones instead. */
    private static String withLocalSecrets(String json, LocalState state, LocalSystem system) {
        JsonNode root;
        try {
            root = SampleJson.MAPPER.readTree(json);
        } catch (IOException e) {
            return json; // the codec reports what is wrong with it
        }
        if (!(root instanceof ObjectNode event) || !event.path("requestContext").isObject()) {
            return json;
        }
        new Placeholders(state.localKey(Clock.systemUTC()).secret(), system.currentsToken()).apply(event);
        return event.toString();
    }

    /** The public method the Handler string names, taking (event) or (event, Context); bridge methods excluded. */
    static Method handlerMethod(Class<?> type, SamTemplate.Function f) {
        List<Method> candidates = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(f.handlerMethod()) && !m.isBridge() && !m.isSynthetic())
                .filter(m -> m.getParameterCount() == 1
                        || (m.getParameterCount() == 2 && m.getParameterTypes()[1] == Context.class))
                .toList();
        if (candidates.size() != 1) {
            throw new CliException(f.logicalId() + ": " + (candidates.isEmpty() ? "no" : "ambiguous")
                    + " handler method " + f.handler());
        }
        return candidates.get(0);
    }

    private static Map<String, String> parseEnv(List<String> pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--env expects NAME=VALUE, got '" + p + "'");
            }
            env.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return env;
    }

    private static void printNotes(PrintStream err, SamTemplate.Function f, long ms, LocalSystem system, LocalLogs logs) {
        err.println("invoked " + f.logicalId() + " (" + f.handler() + ") in " + ms + " ms; logs: " + logs.file());
        if (system.exportQueue().sentCount() > 0) {
            err.println("export queue received " + system.exportQueue().sentCount()
                    + " message(s) (invoke does not consume them; 'bridge local' does)");
        }
        if (system.rejects().total() > 0) {
            err.println(system.rejects().total() + " reject(s) written to " + system.rejects().dir());
        }
        if (system.mixpanel().isDryRun() && system.mixpanel().sink().readRequests() > 0) {
            err.println(system.mixpanel().sink().eventsImported() + " event(s) written to " + system.mixpanel().sink().dir());
        }
        if (system.braze().isDryRun() && system.braze().sink().acceptedRequests() > 0) {
            err.println(system.braze().sink().acceptedRequests() + " /users/track request(s) written to " + system.braze().sink().dir());
        }
    }
}
