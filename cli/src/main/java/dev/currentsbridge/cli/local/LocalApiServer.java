package dev.currentsbridge.cli.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.currentsbridge.cli.sink.LoopbackHttp;
import dev.currentsbridge.standins.http.LoopbackHttpServer;
import dev.currentsbridge.standins.http.RequestBodies;
import dev.currentsbridge.common.api.PathTemplate;
import dev.currentsbridge.common.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Serves HTTP API routes on 127.0.0.1 the way API Gateway does: each request becomes an
 * {@link APIGatewayV2HTTPEvent} (payload format 2.0: lower-case headers, cookies split out, query and path
 * parameters, non-text bodies base64) handed to the function behind the route; the function's
 * {@link APIGatewayV2HTTPResponse} becomes the HTTP response. Unknown routes get API Gateway's 404, a thrown
 * exception its 500, bodies over 10 MB its 413.
 */
public final class LocalApiServer implements AutoCloseable {

    public static final long MAX_PAYLOAD = 10L * 1024 * 1024;
    private static final Log LOG = Log.get(LocalApiServer.class);
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** A route key such as {@code GET /cohorts/{cohortId}/members} and the function serving it. */
    public record Route(String method, String pathTemplate, String functionName,
                        BiFunction<APIGatewayV2HTTPEvent, Context, APIGatewayV2HTTPResponse> function,
                        LocalContext.Factory contexts) {

        public String routeKey() {
            return method + " " + pathTemplate;
        }

        /** Path parameters (percent-decoded as API Gateway does) when {@code path} matches the template, else null. */
        Map<String, String> match(String path) {
            Map<String, String> raw = PathTemplate.match(pathTemplate, path);
            if (raw == null) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            raw.forEach((name, segment) -> params.put(name, URLDecoder.decode(segment, StandardCharsets.UTF_8)));
            return params;
        }
    }

    private final List<Route> routes;
    private final LoopbackHttpServer http;
    private final Map<Integer, AtomicLong> statusCounts = new ConcurrentHashMap<>();

    public LocalApiServer(int port, List<Route> routes) {
        this.routes = List.copyOf(routes);
        this.http = LoopbackHttp.start("API", port, p -> new LoopbackHttpServer("local API", p, this::handle));
    }

    public String url() {
        return http.uri().toString();
    }

    public List<Route> routes() {
        return routes;
    }

    /** Responses sent so far, by status code. */
    public Map<Integer, Long> statusCounts() {
        Map<Integer, Long> m = new java.util.TreeMap<>();
        statusCounts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override
    public void close() {
        http.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = ex.getRequestURI().getRawPath();
        Route route = null;
        Map<String, String> params = null;
        for (Route r : routes) {
            if (r.method().equals(method) && (params = r.match(path)) != null) {
                route = r;
                break;
            }
        }
        if (route == null) {
            send(ex, 404, Map.of("content-type", "application/json"), "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] body = RequestBodies.raw(ex, MAX_PAYLOAD);
        if (body.length > MAX_PAYLOAD) {
            send(ex, 413, Map.of("content-type", "application/json"),
                    "{\"message\":\"Request Entity Too Large\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        APIGatewayV2HTTPEvent event = toEvent(ex, route, params, body);
        APIGatewayV2HTTPResponse response;
        try {
            response = route.function().apply(event, route.contexts().next());
        } catch (RuntimeException e) {
            LOG.error("function failed", "route", route.routeKey(), "error", e.getClass().getSimpleName());
            send(ex, 500, Map.of("content-type", "application/json"),
                    "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (response == null) {
            send(ex, 502, Map.of("content-type", "application/json"), "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (response.getHeaders() != null) {
            headers.putAll(response.getHeaders());
        }
        byte[] out = response.getBody() == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(response.getBody())
                : response.getBody().getBytes(StandardCharsets.UTF_8);
        if (response.getCookies() != null) {
            for (String c : response.getCookies()) {
                ex.getResponseHeaders().add("Set-Cookie", c);
            }
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, vs) -> vs.forEach(v -> ex.getResponseHeaders().add(k, v)));
        }
        send(ex, response.getStatusCode() == 0 ? 200 : response.getStatusCode(), headers, out);
    }

    static APIGatewayV2HTTPEvent toEvent(HttpExchange ex, Route route, Map<String, String> pathParams, byte[] body) {
        Headers in = ex.getRequestHeaders();
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        in.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                for (String v : values) {
                    for (String c : v.split(";")) {
                        if (!c.isBlank()) {
                            cookies.add(c.trim());
                        }
                    }
                }
            } else {
                headers.merge(lower, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        headers.putIfAbsent("x-forwarded-proto", "http");
        headers.putIfAbsent("x-forwarded-for", ex.getRemoteAddress().getAddress().getHostAddress());
        String rawQuery = ex.getRequestURI().getRawQuery();
        Map<String, String> query = null;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            query = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.merge(k, v, (a, b) -> a + "," + b);
            }
        }
        Instant now = Instant.now();
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(ex.getRequestMethod().toUpperCase(Locale.ROOT));
        http.setPath(ex.getRequestURI().getRawPath());
        http.setProtocol(ex.getProtocol());
        http.setSourceIp(ex.getRemoteAddress().getAddress().getHostAddress());
        http.setUserAgent(headers.get("user-agent"));
        APIGatewayV2HTTPEvent.RequestContext ctx = new APIGatewayV2HTTPEvent.RequestContext();
        ctx.setAccountId("000000000000");
        ctx.setApiId("local");
        ctx.setDomainName(headers.getOrDefault("host", "127.0.0.1"));
        ctx.setDomainPrefix("local");
        ctx.setHttp(http);
        ctx.setRequestId(UUID.randomUUID().toString());
        ctx.setRouteKey(route.routeKey());
        ctx.setStage("$default");
        ctx.setTime(REQUEST_TIME.format(now));
        ctx.setTimeEpoch(now.toEpochMilli());
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setVersion("2.0");
        e.setRouteKey(route.routeKey());
        e.setRawPath(ex.getRequestURI().getRawPath());
        e.setRawQueryString(rawQuery == null ? "" : rawQuery);
        e.setCookies(cookies.isEmpty() ? null : cookies);
        e.setHeaders(headers);
        e.setQueryStringParameters(query);
        e.setPathParameters(pathParams.isEmpty() ? null : pathParams);
        e.setRequestContext(ctx);
        if (body.length > 0) {
            if (isText(headers.get("content-type"), headers.get("content-encoding"))) {
                e.setBody(new String(body, StandardCharsets.UTF_8));
                e.setIsBase64Encoded(false);
            } else {
                e.setBody(Base64.getEncoder().encodeToString(body));
                e.setIsBase64Encoded(true);
            }
        }
        return e;
    }

    /** API Gateway passes text media types through and base64-encodes everything else. */
    private static boolean isText(String contentType, String contentEncoding) {
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("identity")) {
            return false;
        }
        if (contentType == null) {
            return true;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("javascript")
                || ct.startsWith("application/x-www-form-urlencoded");
    }

    private void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        statusCounts.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("apigw-requestid", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }
}
