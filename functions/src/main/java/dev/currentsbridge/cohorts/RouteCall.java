package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.log.Metrics;
import java.util.Map;
import java.util.Optional;

/** One routed request: the request, its decoded path parameters, the authenticated key, the invocation's metrics. */
final class RouteCall {

    private final ApiRequest request;
    private final Map<String, String> params;
    private final Metrics metrics;
    private Optional<JsonNode> json;
    private KeyRecord caller;

    RouteCall(ApiRequest request, Map<String, String> params, Metrics metrics) {
        this.request = request;
        this.params = Map.copyOf(params);
        this.metrics = metrics;
    }

    ApiRequest request() {
        return request;
    }

    /** A path parameter, percent-decoded. */
    String param(String name) {
        return params.get(name);
    }

    Metrics metrics() {
        return metrics;
    }

    /** The body as JSON, parsed once; empty when there is none or it is not JSON. */
    Optional<JsonNode> json() {
        if (json == null) {
            json = CohortJson.tryParse(request.body());
        }
        return json;
    }

    /** The data import key that authenticated the call (set by {@link CohortAuthenticator}). */
    KeyRecord caller() {
        return caller;
    }

    void authenticatedAs(KeyRecord key) {
        this.caller = key;
    }
}
