package dev.currentsbridge.cohorts;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.adapter.BrazeHttpClient;
import dev.currentsbridge.cohorts.adapter.CohortStores;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import dev.currentsbridge.common.time.Deadline;
import dev.currentsbridge.common.time.Sleeper;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/** EventBridge schedule adapter: one {@link CohortRefresher} run bounded by the invocation's remaining time. */
public final class CohortRefreshHandler implements RequestHandler<ScheduledEvent, Map<String, Object>>, Resource {

    private final CohortRefresher refresher;
    private final BrazeUsers braze;

    /** Lambda: DynamoDB store, Secrets Manager (cached) and the shared HTTP client, built once at init. */
    public CohortRefreshHandler() {
        this(Env.system(), AwsClients.fromEnvironment(Env.system()));
        Core.getGlobalContext().register(this);
    }

    private CohortRefreshHandler(Env env, AwsClients aws) {
        this(CohortStores.dynamo(aws.dynamoDb(), env.required("TABLE_NAME")),
                new BrazeHttpClient(SharedHttpClient.get(), URI.create(env.required("BRAZE_REST_ENDPOINT")),
                        aws.secrets(env.required("BRAZE_API_KEY_SECRET_ID")),
                        env.required("BRAZE_API_KEY_SECRET_ID"), Clock.systemUTC()),
                env, Clock.systemUTC(), Sleeper.REAL);
    }

    public CohortRefreshHandler(CohortState state, BrazeUsers braze, Env env, Clock clock, Sleeper sleeper) {
        this.refresher = new CohortRefresher(state.registry(), state.postbacks(), state.membership(), braze,
                CohortSettings.fromEnv(env), clock, sleeper);
        this.braze = braze;
    }

    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        Deadline deadline = context == null ? Deadline.none() : context::getRemainingTimeInMillis;
        Metrics metrics = new Metrics(FunctionName.COHORT_REFRESH);
        try {
            CohortRefresher.Report r = refresher.run(deadline, metrics);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("cohortsRefreshed", r.cohortsRefreshed());
            out.put("cohortsSkipped", r.cohortsSkipped());
            out.put("eventsFolded", r.eventsFolded());
            out.put("brazeRequests", r.brazeRequests());
            out.put("dataPoints", r.dataPoints());
            out.put("rejected", r.rejected());
            out.put("stillPending", r.stillPending());
            out.put("stoppedEarly", r.stoppedEarly());
            out.put("cohortsHeld", r.cohortsHeld());
            out.put("overArrayCap", r.overArrayCap());
            out.put("configurationError", r.configurationError());
            return out;
        } finally {
            metrics.flush();
        }
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        // Warm the request paths without sending anything to Braze, reading the API key or reading the table.
        braze.warmUp();
        dev.currentsbridge.common.aws.SdkPriming.primeDynamoDb();
        dev.currentsbridge.common.http.HttpPriming.primePost();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
    }
}
