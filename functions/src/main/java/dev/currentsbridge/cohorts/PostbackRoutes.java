package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.domain.PostbackService;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.domain.postback.MixpanelWebhook;
import dev.currentsbridge.common.api.ApiReply;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.log.Metrics;

/**
 * The postback routes: Mixpanel's cohort sync webhook and Braze's partner cohort import shape (the two ways
 * Mixpanel sends membership). Counts {@code MembersAdded}/{@code MembersRemoved} (full-sync pages:
 * {@code MembersSynced}) for the postbacks stored, {@code DuplicatePostbacks} for the ones already seen.
 */
final class PostbackRoutes {

    private static final Log LOG = Log.get(PostbackRoutes.class);

    private final CohortSettings settings;
    private final PostbackService postbacks;

    PostbackRoutes(CohortSettings settings, PostbackService postbacks) {
        this.settings = settings;
        this.postbacks = postbacks;
    }

    ApiReply mixpanel(RouteCall call) {
        JsonNode root = call.json().orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
        MixpanelWebhook message = MixpanelWebhook.parse(root, settings);
        PostbackService.Receipt r = postbacks.acceptMixpanel(message);
        LOG.info("mixpanel postback", "action", message.action().wire(), "cohort_id", message.cohortId(),
                "members", r.members(), "skipped_without_id", r.skipped(), "duplicate", !r.stored(),
                "page", message.pageIndex(), "total_pages", message.totalPages());
        count(call.metrics(), r.stored(), switch (message.action()) {
            case ADD_MEMBERS -> "MembersAdded";
            case REMOVE_MEMBERS -> "MembersRemoved";
            case MEMBERS -> "MembersSynced";
        }, r.members());
        ObjectNode ok = Json.MAPPER.createObjectNode().put("action", message.action().wire()).put("status", "success");
        return ApiReply.json(200, ok);
    }

    ApiReply partnerCohort(RouteCall call) {
        BrazePartner.CohortName c = BrazePartner.parseCohort(call.json().orElseThrow());
        postbacks.acceptPartnerCohort(c);
        LOG.info("partner cohort upsert", "cohort_id", c.cohortId());
        return success();
    }

    ApiReply partnerUsers(RouteCall call) {
        BrazePartner.UserChanges c = BrazePartner.parseUsers(call.json().orElseThrow());
        PostbackService.Receipt r = postbacks.acceptPartnerChanges(c);
        LOG.info("partner cohort changes", "cohort_id", c.cohortId(), "added", c.added().size(),
                "removed", c.removed().size(), "ignored_device_ids", c.ignoredDeviceIds(), "duplicate", !r.stored());
        count(call.metrics(), r.stored(), "MembersAdded", c.added().size());
        if (r.stored()) {
            call.metrics().count("MembersRemoved", c.removed().size());
        }
        return success();
    }

    private static void count(Metrics metrics, boolean stored, String members, int n) {
        if (stored) {
            metrics.count(members, n);
        } else {
            metrics.count("DuplicatePostbacks", 1);
        }
    }

    private static ApiReply success() {
        return ApiReply.json(200, Json.MAPPER.createObjectNode().put("message", "success"));
    }
}
