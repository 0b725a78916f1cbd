package dev.currentsbridge.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.api.HttpApi;
import dev.currentsbridge.common.api.RequestBody;
import dev.currentsbridge.common.api.StatusMetrics;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP seam of the API functions: an API Gateway HTTP API (payload v2) event becomes an {@link ApiRequest},
 * the function's {@link HttpApi} answers, its {@link ApiReply} becomes the gateway response, and one EMF line
 * per invocation counts it.
 */
public final class HttpApiAdapter {

    private HttpApiAdapter() {
    }

    /** One invocation: request, reply, {@code Requests} and {@code Status<N>xx} counted, metrics flushed. */
    public static APIGatewayV2HTTPResponse serve(HttpApi api, FunctionName function, APIGatewayV2HTTPEvent event) {
        Metrics metrics = new Metrics(function);
        ApiReply reply = api.handle(toRequest(event), metrics);
        StatusMetrics.countReply(metrics, reply.status());
        metrics.flush();
        return toResponse(reply);
    }

    public static ApiRequest toRequest(APIGatewayV2HTTPEvent e) {
        var ctx = e.getRequestContext();
        String method = ctx != null && ctx.getHttp() != null ? ctx.getHttp().getMethod() : null;
        String path = e.getRawPath() != null ? e.getRawPath()
                : ctx != null && ctx.getHttp() != null && ctx.getHttp().getPath() != null ? ctx.getHttp().getPath() : "/";
        // Named stages prefix the raw path with the stage name; the routes are stage-independent.
        String stage = ctx == null ? null : ctx.getStage();
        if (stage != null && !stage.equals("$default") && path.startsWith("/" + stage + "/")) {
            path = path.substring(stage.length() + 1);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (e.getHeaders() != null) {
            headers.putAll(e.getHeaders());
        }
        RequestBody.Decoded body = RequestBody.decode(e.getBody(), e.getIsBase64Encoded(), headers.get("Content-Encoding"));
        return new ApiRequest(method, path, headers, e.getQueryStringParameters(), body.bytes(), body.error());
    }

    public static APIGatewayV2HTTPResponse toResponse(ApiReply reply) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(reply.status())
                .withHeaders(reply.headers())
                .withBody(reply.body())
                .withIsBase64Encoded(false)
                .build();
    }
}
