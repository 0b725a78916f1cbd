package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.KeyRole;
import dev.currentsbridge.common.api.Routes.AuthKind;
import dev.currentsbridge.common.api.Routes.Role;
import dev.currentsbridge.common.api.Routes.Route;
import dev.currentsbridge.common.log.Log;

/**
 * The data import key check, as the route table says: the credential in one of three places ({@link AuthKind};
 * 401 when missing, wrong or revoked), then the key's role against the route's ({@link Role}; 403 when a postback
 * key calls an admin route). Key management over HTTP therefore needs an active admin key; the very first key is
 * created with {@link KeyAdmin} directly against the store (command line).
 */
final class CohortAuthenticator {

    private static final Log LOG = Log.get(CohortAuthenticator.class);

    private final KeyAdmin keys;

    CohortAuthenticator(KeyAdmin keys) {
        this.keys = keys;
    }

    /** Records the key on {@code call}, or throws 401/403 (a partner body that is not JSON is 400 first). */
    void authenticate(Route route, RouteCall call) {
        KeyRecord key = switch (route.auth()) {
            case BASIC_IMPORT_KEY -> keys.authenticate(call.request().basicPassword()).orElseThrow(
                    () -> new InvalidPostback(401, "invalid or missing data import key (send it as the HTTP Basic password)"));
            case BODY_CLIENT_SECRET -> {
                JsonNode root = call.json().orElseThrow(() -> InvalidPostback.badRequest("request body must be valid JSON"));
                yield keys.authenticate(BrazePartner.clientSecret(root))
                        .orElseThrow(() -> new InvalidPostback(401, BrazePartner.INVALID_CLIENT_SECRET));
            }
            case BEARER_IMPORT_KEY -> keys.authenticate(call.request().bearerToken()).orElseThrow(
                    () -> new InvalidPostback(401, "invalid or missing data import key (send Authorization: Bearer <key>)"));
            case CURRENTS_TOKEN -> throw new IllegalStateException("the Currents token is not a cohort API credential");
        };
        if (!allows(key.role(), route.role())) {
            LOG.info("data import key refused for its role", "key_id", key.keyId(), "role", key.role().wire(),
                    "route", route.id());
            throw new InvalidPostback(403, "this data import key has the role " + key.role().wire()
                    + "; " + route.routeKey() + " needs an admin key");
        }
        if (key.role() == KeyRole.ADMIN && route.role() == Role.POSTBACK) {
            // Allowed (keys from before roles are admin keys), but it is the key an attacker would want: say so.
            LOG.warn("admin key used on a postback route: mint a postback key for Mixpanel and revoke this one there",
                    "key_id", key.keyId(), "route", route.id());
            call.metrics().count("AdminKeyPostbacks", 1);
        }
        call.authenticatedAs(key);
    }

    /** Whether a key of {@code have} may call a route needing {@code need}. */
    static boolean allows(KeyRole have, Role need) {
        return switch (need) {
            case POSTBACK -> true;
            case ADMIN -> have == KeyRole.ADMIN;
            case CURRENTS -> false;
        };
    }
}
