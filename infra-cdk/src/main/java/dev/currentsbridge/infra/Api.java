package dev.currentsbridge.infra;

import dev.currentsbridge.common.api.Routes;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpRoute;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The HTTP API: the routes (ingest and cohort API aliases), stage-wide throttling and JSON access logs.
 * Construct ids are the stack's (this class adds to the stack's scope, not a nested construct), so logical ids
 * stay as they were.
 */
final class Api {

    /**
     * One JSON object per request. Deliberately no header, query string or body: the {@code Authorization}
     * header carries the Currents bearer token or a data import key, and request bodies carry user ids.
     */
    static final String ACCESS_LOG_FORMAT = "{\"requestId\":\"$context.requestId\","
            + "\"ip\":\"$context.identity.sourceIp\",\"requestTime\":\"$context.requestTime\","
            + "\"routeKey\":\"$context.routeKey\",\"status\":\"$context.status\","
            + "\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\","
            + "\"integrationStatus\":\"$context.integrationStatus\","
            + "\"integrationLatency\":\"$context.integrationLatency\","
            + "\"integrationError\":\"$context.integrationErrorMessage\","
            + "\"error\":\"$context.error.message\",\"userAgent\":\"$context.identity.userAgent\"}";

    /** Why no API Gateway authorizer: the functions authenticate every route themselves. */
    static final String NO_AUTHORIZER_REASON = "Every route authenticates in the function: POST /currents compares the"
            + " bearer token with the Currents token secret (401/403 otherwise); the cohort routes require an active"
            + " data import key (stored as a SHA-256 in the cohort table) as Basic password, bearer token or the partner"
            + " payload's client_secret. Mixpanel's"
            + " cohort webhook and Braze's Currents connector can only send such static credentials, which an"
            + " authorizer would check the same way at the cost of another Lambda call per request.";

    final HttpApi api;
    final HttpStage stage;

    Api(Construct scope, Alias ingest, Alias cohortApi, LogGroup accessLogs) {
        api = HttpApi.Builder.create(scope, "HttpApi")
                .description("Currents Bridge: Braze Currents ingest, Mixpanel cohort postbacks and status")
                .createDefaultStage(false)
                .build();
        stage = HttpStage.Builder.create(scope, "DefaultStage")
                .httpApi(api)
                .stageName("$default")
                .autoDeploy(true)
                // Stage-wide throttling, so a misbehaving caller cannot run up the Lambda bill.
                .throttle(ThrottleSettings.builder().rateLimit(200).burstLimit(400).build())
                .accessLogSettings(new IAccessLogSettings() {
                    @Override
                    public IAccessLogDestination getDestination() {
                        return new LogGroupLogDestination(accessLogs);
                    }

                    @Override
                    public AccessLogFormat getFormat() {
                        return AccessLogFormat.custom(ACCESS_LOG_FORMAT);
                    }
                })
                .build();
        HttpLambdaIntegration ingestIntegration = new HttpLambdaIntegration("IngestIntegration", ingest);
        HttpLambdaIntegration cohortIntegration = new HttpLambdaIntegration("CohortApiIntegration", cohortApi);
        // The routes of the one table (common.api.Routes) that the functions route by and template.yaml is tested against.
        for (Routes.Route r : Routes.ALL) {
            route(HttpMethod.valueOf(r.method()), r.path(),
                    r.function() == Routes.ApiFunction.CURRENTS_INGEST ? ingestIntegration : cohortIntegration);
        }
    }

    private void route(HttpMethod method, String path, HttpLambdaIntegration integration) {
        List<HttpRoute> routes = api.addRoutes(AddRoutesOptions.builder().path(path).methods(List.of(method))
                .integration(integration).build());
        routes.forEach(r -> NagSuppressions.addResourceSuppressions(r, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-APIG4").reason(NO_AUTHORIZER_REASON).build())));
    }
}
