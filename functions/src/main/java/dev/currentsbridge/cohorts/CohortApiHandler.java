package dev.currentsbridge.cohorts;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.api.HttpApiAdapter;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.aws.SdkPriming;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import java.time.Clock;
import org.crac.Core;
import org.crac.Resource;

/**
 * API Gateway (HTTP API, payload v2) adapter for every cohort route: Mixpanel's webhook, Braze's partner
 * cohort import shape, the status routes and key management. The routes live in {@link CohortApi}.
 */
public final class CohortApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {

    private final CohortApi api;

    /** Lambda: DynamoDB cohort state from {@code TABLE_NAME}, clients built once at init. */
    public CohortApiHandler() {
        this(CohortStores.dynamo(AwsClients.fromEnvironment(Env.system()).dynamoDb(), Env.system().required("TABLE_NAME")),
                Env.system(), Clock.systemUTC());
        Core.getGlobalContext().register(this);
    }

    public CohortApiHandler(CohortState state, Env env, Clock clock) {
        this.api = new CohortApi(state, CohortSettings.fromEnv(env), clock);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApiAdapter.serve(api, Routes.ApiFunction.COHORT_API.metricsName(), event);
    }

    /** SnapStart priming, all of it (no metrics are flushed: an EMF line at deploy time would count a request). */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        // Warm the seam, routing, JSON and the error path without touching the store: an unauthenticated request
        // to an unknown route never reaches DynamoDB.
        APIGatewayV2HTTPEvent priming = APIGatewayV2HTTPEvent.builder().withRawPath("/priming").build();
        HttpApiAdapter.toResponse(api.handle(HttpApiAdapter.toRequest(priming), new Metrics(FunctionName.COHORT_API)));
        // Every real request reads the table (the key check first): load the DynamoDB request path on a canned
        // in-memory answer, so the first request after a restore does not pay ~0.3 s of SDK class loading.
        SdkPriming.primeDynamoDb();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
    }
}
