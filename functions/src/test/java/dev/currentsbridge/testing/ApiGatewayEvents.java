package dev.currentsbridge.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** API Gateway HTTP API (payload v2) events as Lambda receives them, for handler-level tests. */
public final class ApiGatewayEvents {

    private ApiGatewayEvents() {
    }

    public static APIGatewayV2HTTPEvent event(String method, String path, String body, boolean base64,
                                              Map<String, String> headers, Map<String, String> query) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("$default")
                .withRawPath(path)
                .withHeaders(headers)
                .withQueryStringParameters(query == null || query.isEmpty() ? null : query)
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withStage("$default")
                        .withRequestId("req-1")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path)
                                .withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }

    public static APIGatewayV2HTTPEvent post(String path, String body, Map<String, String> headers) {
        return event("POST", path, body, false, headers, Map.of());
    }

    /** {@code Authorization: Basic base64(user:password)}, as Mixpanel sends the data import key. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
