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
 * {@code MembersSynced}) for the postbacks stored, {@code DuplicatePostbacks} for the ones already seen,
 * {@code MembersSkipped} for members without a usable id. A key bound to a Mixpanel project is refused (403) for
 * postbacks of another project ({@link PostbackService#checkProject}).
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
        postbacks.checkProject(call.caller().projectId(), message.cohortId(), message.projectId(), false);
        PostbackService.Receipt r = postbacks.acceptMixpanel(message);
        MixpanelWebhook.SkippedMembers skipped = message.skippedMembers();
        LOG.info("mixpanel postback", "action", message.action().wire(), "cohort_id", message.cohortId(),
                "members", r.members(), "skipped_without_id", skipped.withoutId(),
                "skipped_wrong_type", skipped.wrongType(), "skipped_too_long", skipped.tooLong(),
                "skipped_not_object", skipped.notAnObject(), "duplicate", !r.stored(),
                "page", message.pageIndex(), "total_pages", message.totalPages());
        if (r.stored() && skipped.total() > 0) {
            call.metrics().count("MembersSkipped", skipped.total());
        }
        count(call.metrics(), r.stored(), switch (message.action()) {
            case ADD_MEMBERS -> "MembersAdded";
            case REMOVE_MEMBERS -> "MembersRemoved";
            case MEMBERS -> "MembersSynced";
        }, r.members());
        ObjectNode ok = Json.MAPPER.createObjectNode().put("action", message.action().wire()).put("status", "success");
        if (skipped.total() > 0) {
            // Still a success (a 4xx would pause the whole sync); the text is where Mixpanel shows a reason.
            String summary = skipped.summary(r.members() + skipped.total(), settings.memberIdField());
            ok.putObject("error").put("message", summary).put("code", 200);
            ok.putObject("skipped_members").put("without_id", skipped.withoutId()).put("wrong_type", skipped.wrongType())
                    .put("too_long", skipped.tooLong()).put("not_an_object", skipped.notAnObject());
        }
        return ApiReply.json(200, ok);
    }

    ApiReply partnerCohort(RouteCall call) {
        BrazePartner.CohortName c = BrazePartner.parseCohort(call.json().orElseThrow());
        postbacks.checkProject(call.caller().projectId(), c.cohortId(), null, true);
        postbacks.acceptPartnerCohort(c);
        LOG.info("partner cohort upsert", "cohort_id", c.cohortId());
        return success();
    }

    ApiReply partnerUsers(RouteCall call) {
        BrazePartner.UserChanges c = BrazePartner.parseUsers(call.json().orElseThrow());
        postbacks.checkProject(call.caller().projectId(), c.cohortId(), null, true);
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
