package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.common.api.Routes.AuthKind;

/**
 * The data import key check, in the three ways callers send it (the route table says which a route uses).
 * Key management over HTTP therefore needs an existing active key; the very first key is created with
 * {@link KeyAdmin} directly against the store (command line).
 */
final class CohortAuthenticator {

    private final KeyAdmin keys;

    CohortAuthenticator(KeyAdmin keys) {
        this.keys = keys;
    }

    /** Records the key on {@code call}, or throws 401 (a partner body that is not JSON is 400 first). */
    void authenticate(AuthKind kind, RouteCall call) {
        call.authenticatedAs(switch (kind) {
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
        });
    }

}
