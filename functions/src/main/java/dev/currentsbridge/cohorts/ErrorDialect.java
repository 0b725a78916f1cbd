package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.json.Json;

/**
 * How the cohort API words a refusal, chosen by the path's prefix so that unknown routes answer in their
 * family's shape too: Mixpanel's webhook {@code {"action","status":"failure","error":{"message","code"}}}
 * (with {@code WWW-Authenticate: Basic} on 401), Braze's partner API {@code {"message"}} (no challenge: the
 * secret is in the body), the operator routes {@code {"message"}} (with {@code WWW-Authenticate: Bearer}).
 */
enum ErrorDialect {
    MIXPANEL, PARTNER, OPERATOR;

    static ErrorDialect of(String path) {
        if (path.startsWith("/mixpanel/")) {
            return MIXPANEL;
        }
        return path.startsWith("/partners/") ? PARTNER : OPERATOR;
    }

    ApiReply error(int status, String message, String action) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (this == MIXPANEL) {
            body.put("action", action);
            body.put("status", "failure");
            body.putObject("error").put("message", message).put("code", status);
        } else {
            body.put("message", message);
        }
        ApiReply reply = ApiReply.json(status, body);
        if (status == 401 && this != PARTNER) {
            return reply.withHeader("WWW-Authenticate", this == MIXPANEL ? "Basic realm=\"currents-bridge\"" : "Bearer");
        }
        return reply;
    }
}
