package dev.currentsbridge.cohorts;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.port.CohortStore;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * API Gateway (HTTP API, payload v2) adapter for every cohort route: Mixpanel's webhook, Braze's partner
 * cohort import shape, the status routes and key management. The routes live in {@link CohortApi}.
 */
public final class CohortApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {

    private final CohortApi api;

    /** Lambda: DynamoDB store from {@code TABLE_NAME}, clients built once at init. */
    public CohortApiHandler() {
        this(CohortStores.dynamo(AwsClients.fromEnvironment(Env.system()).dynamoDb(), Env.system().required("TABLE_NAME")),
                Env.system(), Clock.systemUTC());
        Core.getGlobalContext().register(this);
    }

    public CohortApiHandler(CohortStore store, Env env, Clock clock) {
        this.api = new CohortApi(store, CohortSettings.fromEnv(env), clock);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiReply reply = api.handle(toRequest(event));
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(reply.status())
                .withHeaders(reply.headers())
                .withBody(reply.body())
                .withIsBase64Encoded(false)
                .build();
    }

    static ApiRequest toRequest(APIGatewayV2HTTPEvent e) {
        var ctx = e.getRequestContext();
        String method = ctx != null && ctx.getHttp() != null ? ctx.getHttp().getMethod() : null;
        String path = e.getRawPath() != null ? e.getRawPath()
                : ctx != null && ctx.getHttp() != null && ctx.getHttp().getPath() != null ? ctx.getHttp().getPath() : "/";
        // Named stages prefix the raw path with the stage name; the routes are stage-independent.
        String stage = ctx == null ? null : ctx.getStage();
        if (stage != null && !stage.equals("$default") && path.startsWith("/" + stage + "/")) {
            path = path.substring(stage.length() + 1);
        }
        byte[] body;
        if (e.getBody() == null) {
            body = new byte[0];
        } else if (e.getIsBase64Encoded()) {
            try {
                body = Base64.getDecoder().decode(e.getBody());
            } catch (IllegalArgumentException ex) {
                body = e.getBody().getBytes(StandardCharsets.UTF_8);
            }
        } else {
            body = e.getBody().getBytes(StandardCharsets.UTF_8);
        }
        Map<String, String> query = e.getQueryStringParameters();
        return new ApiRequest(method, path, e.getHeaders(), query, body);
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        // Warm routing, JSON and the error path without touching the store: an unauthenticated request
        // to an unknown route never reaches DynamoDB.
        api.handle(new ApiRequest("GET", "/priming", Map.of(), Map.of(), new byte[0]));
        // Every real request reads the table (the key check first): load the DynamoDB request path on a canned
        // in-memory answer, so the first request after a restore does not pay ~0.3 s of SDK class loading.
        dev.currentsbridge.common.aws.SdkPriming.primeDynamoDb();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
    }
}
