package dev.currentsbridge.cohorts;

import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.domain.PostbackService;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.api.ApiRequest;
import dev.currentsbridge.common.api.HttpApi;
import dev.currentsbridge.common.api.RequestBody;
import dev.currentsbridge.common.api.Routes;
import dev.currentsbridge.common.log.FunctionName;
import dev.currentsbridge.common.log.Metrics;
import java.time.Clock;
import java.util.Map;

/**
 * The cohort API, independent of API Gateway: its route families ({@link PostbackRoutes}, {@link CohortStatusRoutes},
 * {@link KeyRoutes}) wired to their rows of {@link Routes} behind one {@link CohortRouter}.
 *
 * <p>Authentication: the data import key. Mixpanel sends it as the HTTP Basic password (any user name), Braze's
 * partner shape as {@code client_secret}, the operator routes ({@code /cohorts...}, {@code /keys...}) as
 * {@code Authorization: Bearer <key>} (see {@link CohortAuthenticator}).
 */
public final class CohortApi implements HttpApi {

    public static final int MAX_BODY_BYTES = RequestBody.MAX_BYTES;

    private final CohortRouter router;

    public CohortApi(CohortState state, CohortSettings settings, Clock clock) {
        KeyAdmin keys = new KeyAdmin(state.keys(), clock);
        PostbackRoutes postbacks = new PostbackRoutes(settings,
                new PostbackService(state.postbacks(), state.registry(), settings, clock));
        CohortStatusRoutes status = new CohortStatusRoutes(state.registry(), state.membership(),
                new CohortJson(state.registry(), settings));
        KeyRoutes keyRoutes = new KeyRoutes(keys);
        this.router = new CohortRouter(Map.ofEntries(
                Map.entry(Routes.MIXPANEL_WEBHOOK, postbacks::mixpanel),
                Map.entry(Routes.PARTNER_COHORTS, postbacks::partnerCohort),
                Map.entry(Routes.PARTNER_COHORT_USERS, postbacks::partnerUsers),
                Map.entry(Routes.LIST_COHORTS, status::listCohorts),
                Map.entry(Routes.GET_COHORT, status::getCohort),
                Map.entry(Routes.PATCH_COHORT, status::patchCohort),
                Map.entry(Routes.COHORT_MEMBERS, status::members),
                Map.entry(Routes.CREATE_KEY, keyRoutes::createKey),
                Map.entry(Routes.LIST_KEYS, keyRoutes::listKeys),
                Map.entry(Routes.DELETE_KEY, keyRoutes::revokeKey)),
                new CohortAuthenticator(keys));
    }

    @Override
    public ApiReply handle(ApiRequest request, Metrics metrics) {
        return router.handle(request, metrics);
    }

    /** For callers that keep no metrics (tests, local tools): the counters are dropped. */
    public ApiReply handle(ApiRequest request) {
        return handle(request, new Metrics(FunctionName.COHORT_API));
    }
}
