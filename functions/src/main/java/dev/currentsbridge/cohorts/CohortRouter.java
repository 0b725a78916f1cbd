package dev.currentsbridge.cohorts;

import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.domain.postback.MixpanelWebhook;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.common.api.Routes.Route;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a cohort API request by {@link Routes}: a refused body first (413/400), then the route (404, 405 naming
 * the allowed methods), its path parameters (400 for bad percent-encoding), the caller's key (401, sent as the
 * route's {@link Routes.AuthKind} says; 403 when its role is not the route's {@link Routes.Role}), then the route
 * family. A refusal is answered in its path's {@link ErrorDialect};
 * anything unexpected (the store failing) is 503, so that the sender retries.
 */
final class CohortRouter {

    /** One route family's method serving one route. */
    interface RouteHandler {
        ApiReply handle(RouteCall call);
    }

    private static final Log LOG = Log.get(CohortRouter.class);

    private final List<Route> routes = Routes.servedBy(Routes.ApiFunction.COHORT_API);
    private final Map<Route, RouteHandler> handlers;
    private final CohortAuthenticator authenticator;

    CohortRouter(Map<Route, RouteHandler> handlers, CohortAuthenticator authenticator) {
        for (Route r : routes) {
            if (!handlers.containsKey(r)) {
                throw new IllegalArgumentException("no handler for " + r.routeKey());
            }
        }
        this.handlers = Map.copyOf(handlers);
        this.authenticator = authenticator;
    }

    ApiReply handle(ApiRequest req, Metrics metrics) {
        String path = normalise(req.path());
        ErrorDialect dialect = ErrorDialect.of(path);
        try {
            if (req.bodyError() != null) {
                throw new InvalidPostback(req.bodyError().status(), req.bodyError().message());
            }
            return route(req, path, metrics);
        } catch (InvalidPostback e) {
            LOG.info("cohort api request refused", "route", dialect.name(), "status", e.status(), "reason", e.getMessage());
            return dialect.error(e.status(), e.getMessage(), actionOf(req, dialect));
        } catch (RuntimeException e) {
            LOG.error("cohort api request failed", "route", dialect.name(), "error", e.getClass().getSimpleName());
            return dialect.error(503, "temporarily unavailable, please retry", actionOf(req, dialect));
        }
    }

    private ApiReply route(ApiRequest req, String path, Metrics metrics) {
        List<String> allowed = new ArrayList<>();
        for (Route r : routes) {
            Map<String, String> raw = r.match(path);
            if (raw == null) {
                continue;
            }
            if (!r.method().equals(req.method())) {
                allowed.add(r.method());
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            raw.forEach((name, segment) -> params.put(name, segment(segment)));
            RouteCall call = new RouteCall(req, params, metrics);
            authenticator.authenticate(r, call);
            return handlers.get(r).handle(call);
        }
        if (!allowed.isEmpty()) {
            throw new InvalidPostback(405, "method not allowed here; use " + String.join(", ", allowed));
        }
        throw new InvalidPostback(404, "no such route: " + req.method() + " " + truncate(path));
    }

    /** The webhook's action, echoed in its error body when the body says it. */
    private static String actionOf(ApiRequest req, ErrorDialect dialect) {
        return dialect == ErrorDialect.MIXPANEL ? CohortJson.tryParse(req.body()).map(MixpanelWebhook::actionOf).orElse(null) : null;
    }

    /** A percent-decoded path segment ('+' stays a plus: paths are not form-encoded). */
    static String segment(String raw) {
        try {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw InvalidPostback.badRequest("malformed percent-encoding in the path");
        }
    }

    static String normalise(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.isEmpty() ? "/" : p;
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
