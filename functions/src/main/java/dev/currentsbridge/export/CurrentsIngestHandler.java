package dev.currentsbridge.export;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.currentsbridge.api.HttpApiAdapter;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.aws.SdkPriming;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.HttpPriming;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.adapter.SqsExportQueue;
import dev.currentsbridge.export.port.ExportQueue;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * API Gateway (HTTP API, payload v2) adapter for {@code POST /currents}; the endpoint itself is
 * {@link CurrentsIngest}. Reads {@code CURRENTS_TOKEN_SECRET_ID} (a secret holding the token, as plain text or
 * {@code {"token":..}}) and {@code EXPORT_QUEUE_URL}.
 */
public final class CurrentsIngestHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {

    private final ExportQueue queue;
    private final SecretSource secrets;
    private final CurrentsIngest ingest;

    public CurrentsIngestHandler() {
        this(Env.system(), AwsClients.fromEnvironment(Env.system()));
        Core.getGlobalContext().register(this);
    }

    private CurrentsIngestHandler(Env env, AwsClients aws) {
        this(new SqsExportQueue(aws.sqs(), env.required("EXPORT_QUEUE_URL")),
                aws.secrets(env.required("CURRENTS_TOKEN_SECRET_ID")), env);
    }

    public CurrentsIngestHandler(ExportQueue queue, SecretSource secrets, Env env) {
        this(queue, secrets, env, Clock.systemUTC());
    }

    /** {@code clock} paces re-reads of the token secret (a virtual one in tests). */
    public CurrentsIngestHandler(ExportQueue queue, SecretSource secrets, Env env, Clock clock) {
        this.queue = queue;
        this.secrets = secrets;
        this.ingest = new CurrentsIngest(queue, secrets, env.required("CURRENTS_TOKEN_SECRET_ID"), clock);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent request, Context context) {
        return HttpApiAdapter.serve(ingest, Routes.CURRENTS.function().metricsName(), request);
    }

    /**
     * SnapStart priming, all of it: the real queue adapter's own (tests' fakes have none), the token check, the
     * Secrets Manager read's signer (no secret read), the SQS SDK pipeline and the HTTP POST path, the HTTP seam
     * (event to request, reply to response) and JSON parsing, without reading the secret or sending anything.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        if (queue instanceof SqsExportQueue sqs) {
            sqs.prime();
        }
        CurrentsIngest.constantTimeEquals("warm", "up");
        SdkPriming.primeSecretsManager();
        SdkPriming.primeSqs();
        HttpPriming.primePost();
        String batch = "{\"events\":[{\"id\":\"warm\"}]}";
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRawPath(Routes.CURRENTS.path())
                .withHeaders(Map.of("content-type", "application/json")).withBody(batch).build();
        ApiRequest request = HttpApiAdapter.toRequest(event);
        try {
            Json.MAPPER.readTree(request.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpApiAdapter.toResponse(ApiReply.json(200, Json.MAPPER.createObjectNode().put("status", "ok")));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to refresh: priming read no secret
    }
}
