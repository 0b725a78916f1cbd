package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.PostbackCounts;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The operator's cohort routes: list, one cohort's status, its sync mode, a page of its members. */
final class CohortStatusRoutes {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private static final Log LOG = Log.get(CohortStatusRoutes.class);

    private final CohortRegistry registry;
    private final Membership membership;
    private final CohortJson views;

    CohortStatusRoutes(CohortRegistry registry, Membership membership, CohortJson views) {
        this.registry = registry;
        this.membership = membership;
        this.views = views;
    }

    ApiReply listCohorts(RouteCall call) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode arr = out.putArray("cohorts");
        Map<String, PostbackCounts> counts = registry.allPostbackCounts(); // one read for all cohorts, not two per cohort
        for (Cohort c : registry.listCohorts()) {
            arr.add(views.describe(c, counts.getOrDefault(c.id(), PostbackCounts.NONE)));
        }
        return ApiReply.json(200, out);
    }

    ApiReply getCohort(RouteCall call) {
        Cohort c = registry.findCohort(call.param("cohortId")).orElseThrow(() -> new InvalidPostback(404, "no such cohort"));
        return ApiReply.json(200, views.describe(c));
    }

    /** {@code {"sync_mode": ...}} and/or {@code {"confirm_removals": true}} (a held full sync is applied next run). */
    ApiReply patchCohort(RouteCall call) {
        String cohortId = call.param("cohortId");
        JsonNode root = call.json().orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
        JsonNode mode = root.get("sync_mode");
        JsonNode confirm = root.get("confirm_removals");
        if (confirm != null && !(confirm.isBoolean() && confirm.asBoolean())) {
            throw InvalidPostback.badRequest("confirm_removals must be true");
        }
        SyncMode syncMode = mode != null && mode.isTextual() ? SyncMode.parse(mode.asText()).orElse(null) : null;
        if (syncMode == null && (mode != null || confirm == null)) {
            throw InvalidPostback.badRequest("sync_mode must be \"dynamic\" or \"one_time\"");
        }
        Cohort c = registry.findCohort(cohortId).orElseThrow(() -> new InvalidPostback(404, "no such cohort"));
        if (confirm != null && c.heldRemovals() == 0) {
            throw new InvalidPostback(409, "nothing to confirm: the cohort is not held");
        }
        if (syncMode != null && !registry.setSyncMode(cohortId, syncMode)) {
            throw new InvalidPostback(404, "no such cohort");
        }
        if (confirm != null) {
            registry.confirmRemovals(cohortId);
            LOG.info("cohort held removals confirmed", "cohort_id", cohortId, "removals", c.heldRemovals());
        }
        if (syncMode != null) {
            LOG.info("cohort sync mode set", "cohort_id", cohortId, "sync_mode", syncMode.wire());
        }
        return ApiReply.json(200, views.describe(registry.findCohort(cohortId).orElseThrow()));
    }

    ApiReply members(RouteCall call) {
        String cohortId = call.param("cohortId");
        Cohort c = registry.findCohort(cohortId).orElseThrow(() -> new InvalidPostback(404, "no such cohort"));
        int limit = DEFAULT_PAGE;
        String limitText = call.request().query().get("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw InvalidPostback.badRequest("limit must be a whole number from 1 to " + MAX_PAGE);
            }
        }
        String after = null;
        String cursor = call.request().query().get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw InvalidPostback.badRequest("cursor is not one this API returned");
            }
        }
        return ApiReply.json(200, views.members(c, membership.members(cohortId, after, limit)));
    }
}
