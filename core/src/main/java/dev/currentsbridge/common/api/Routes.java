package dev.currentsbridge.common.api;

import dev.currentsbridge.common.log.FunctionName;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's routes, defined once: the cohort API routes by this table, the Currents endpoint checks its
 * method against it, local mode serves it, and a test compares it with {@code template.yaml}'s HttpApi events
 * both ways, and the CDK stack adds its routes from {@link #ALL}.
 */
public final class Routes {

    /** A function behind the HTTP API: its template logical id and handler class (named, not referenced: core cannot see it). */
    public enum ApiFunction {
        CURRENTS_INGEST("CurrentsIngestFunction", "dev.currentsbridge.export.CurrentsIngestHandler", FunctionName.CURRENTS_INGEST),
        COHORT_API("CohortApiFunction", "dev.currentsbridge.cohorts.CohortApiHandler", FunctionName.COHORT_API);

        private final String logicalId;
        private final String handlerClass;
        private final FunctionName metricsName;

        ApiFunction(String logicalId, String handlerClass, FunctionName metricsName) {
            this.logicalId = logicalId;
            this.handlerClass = handlerClass;
            this.metricsName = metricsName;
        }

        public String logicalId() {
            return logicalId;
        }

        public String handlerClass() {
            return handlerClass;
        }

        public FunctionName metricsName() {
            return metricsName;
        }
    }

    /** How a route's caller proves who it is. */
    public enum AuthKind {
        /** {@code Authorization: Bearer <Currents token>} (the token secret). */
        CURRENTS_TOKEN,
        /** The data import key as the HTTP Basic password (Mixpanel's webhook; any user name). */
        BASIC_IMPORT_KEY,
        /** The data import key as {@code client_secret} in the JSON body (Braze's partner shape). */
        BODY_CLIENT_SECRET,
        /** {@code Authorization: Bearer <data import key>} (operator routes, admin keys). */
        BEARER_IMPORT_KEY
    }

    /**
     * Who may call a route: the Currents token's holder, or a data import key of a role. An admin key satisfies
     * {@link #POSTBACK} too (keys stored before roles existed are admin keys and must keep posting); a postback key
     * satisfies only {@link #POSTBACK}, so the key entered in Mixpanel cannot read members or mint keys.
     */
    public enum Role {
        /** The Currents token (not a data import key). */
        CURRENTS("currents token"),
        /** A {@code postback} or {@code admin} data import key. */
        POSTBACK("postback"),
        /** An {@code admin} data import key. */
        ADMIN("admin");

        private final String wire;

        Role(String wire) {
            this.wire = wire;
        }

        /** As the docs' route table and the refusals name it. */
        public String wire() {
            return wire;
        }
    }

    /**
     * One route: {@code id} is the template's event name, {@code path} an API Gateway path template
     * ({@code {name}} for one non-empty segment), {@code auth} how the credential is sent, {@code role} what it
     * must be allowed to do.
     */
    public record Route(String id, String method, String path, ApiFunction function, AuthKind auth, Role role) {

        public String routeKey() {
            return method + " " + path;
        }

        /** The raw (still percent-encoded) path parameters when {@code requestPath} matches, else null. */
        public Map<String, String> match(String requestPath) {
            return PathTemplate.match(path, requestPath);
        }
    }

    public static final Route CURRENTS =
            new Route("PostCurrents", "POST", "/currents", ApiFunction.CURRENTS_INGEST, AuthKind.CURRENTS_TOKEN, Role.CURRENTS);
    public static final Route MIXPANEL_WEBHOOK =
            new Route("MixpanelWebhook", "POST", "/mixpanel/webhook", ApiFunction.COHORT_API, AuthKind.BASIC_IMPORT_KEY, Role.POSTBACK);
    public static final Route PARTNER_COHORTS = new Route("PartnerCohorts", "POST", "/partners/mixpanel/cohorts",
            ApiFunction.COHORT_API, AuthKind.BODY_CLIENT_SECRET, Role.POSTBACK);
    public static final Route PARTNER_COHORT_USERS = new Route("PartnerCohortUsers", "POST",
            "/partners/mixpanel/cohorts/users", ApiFunction.COHORT_API, AuthKind.BODY_CLIENT_SECRET, Role.POSTBACK);
    public static final Route LIST_COHORTS =
            new Route("ListCohorts", "GET", "/cohorts", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route GET_COHORT =
            new Route("GetCohort", "GET", "/cohorts/{cohortId}", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route PATCH_COHORT =
            new Route("PatchCohort", "PATCH", "/cohorts/{cohortId}", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route COHORT_MEMBERS = new Route("CohortMembers", "GET", "/cohorts/{cohortId}/members",
            ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route CREATE_KEY =
            new Route("CreateKey", "POST", "/keys", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route LIST_KEYS =
            new Route("ListKeys", "GET", "/keys", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);
    public static final Route DELETE_KEY =
            new Route("DeleteKey", "DELETE", "/keys/{keyId}", ApiFunction.COHORT_API, AuthKind.BEARER_IMPORT_KEY, Role.ADMIN);

    /** Every route of the HTTP API, in the order the docs list them. */
    public static final List<Route> ALL = List.of(CURRENTS, MIXPANEL_WEBHOOK, PARTNER_COHORTS, PARTNER_COHORT_USERS,
            LIST_COHORTS, GET_COHORT, PATCH_COHORT, COHORT_MEMBERS, CREATE_KEY, LIST_KEYS, DELETE_KEY);

    private Routes() {
    }

    /** The routes one function serves, methods of one path in alphabetical order (as a 405 lists them). */
    public static List<Route> servedBy(ApiFunction function) {
        return ALL.stream().filter(r -> r.function() == function)
                .sorted(Comparator.comparing(Route::path).thenComparing(Route::method)).toList();
    }
}
