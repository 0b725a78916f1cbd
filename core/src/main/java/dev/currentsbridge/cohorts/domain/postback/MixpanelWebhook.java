package dev.currentsbridge.cohorts.domain.postback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.model.MemberRef;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed Mixpanel cohort sync webhook message (docs: mixpanel-api.md section 2).
 *
 * @param sessionId  {@code mixpanel_session_id}; required for {@code members}, optional otherwise
 * @param pageIndex  {@code page_info.page_count} (1-based); 1 when absent on incremental actions
 * @param skipped    members without the configured id field: they cannot be matched to a Braze user
 */
public record MixpanelWebhook(Action action, String projectId, String cohortId, String cohortName,
                              String cohortDescription, String sessionId, int pageIndex, int totalPages,
                              List<MemberRef> members, int skipped) {

    public enum Action {
        MEMBERS("members"), ADD_MEMBERS("add_members"), REMOVE_MEMBERS("remove_members");

        final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Action parse(String s) {
            for (Action a : values()) {
                if (a.wire.equals(s)) {
                    return a;
                }
            }
            return null;
        }
    }

    /** The action as sent, for echoing in the reply even when the message is otherwise invalid. */
    public static String actionOf(JsonNode root) {
        JsonNode a = root == null ? null : root.get("action");
        return a != null && a.isTextual() ? a.asText() : null;
    }

    public static MixpanelWebhook parse(JsonNode root, CohortSettings settings) {
        if (root == null || !root.isObject()) {
            throw InvalidPostback.badRequest("body must be a JSON object with action and parameters");
        }
        String actionText = actionOf(root);
        if (actionText == null) {
            throw InvalidPostback.badRequest("action must be a string: members, add_members or remove_members");
        }
        Action action = Action.parse(actionText);
        if (action == null) {
            throw InvalidPostback.badRequest("unknown action '" + truncate(actionText)
                    + "': expected members, add_members or remove_members");
        }
        JsonNode p = root.get("parameters");
        if (p == null || !p.isObject()) {
            throw InvalidPostback.badRequest("parameters must be an object");
        }
        String cohortId = requiredId(p, "mixpanel_cohort_id");
        String projectId = optionalText(p, "mixpanel_project_id");
        String name = optionalText(p, "mixpanel_cohort_name");
        String description = optionalText(p, "mixpanel_cohort_description");
        String sessionId = optionalText(p, "mixpanel_session_id");
        int pageIndex = 1;
        int totalPages = 1;
        JsonNode pageInfo = p.get("page_info");
        if (action == Action.MEMBERS) {
            if (sessionId == null) {
                throw InvalidPostback.badRequest("parameters.mixpanel_session_id must be a non-empty string for action members");
            }
            if (pageInfo == null || !pageInfo.isObject()) {
                throw InvalidPostback.badRequest("parameters.page_info must be an object with total_pages and page_count for action members");
            }
        }
        if (pageInfo != null && !pageInfo.isNull()) {
            if (!pageInfo.isObject()) {
                throw InvalidPostback.badRequest("parameters.page_info must be an object");
            }
            totalPages = positiveInt(pageInfo, "total_pages");
            pageIndex = positiveInt(pageInfo, "page_count");
            if (pageIndex > totalPages) {
                throw InvalidPostback.badRequest("parameters.page_info.page_count must not exceed total_pages");
            }
            if (totalPages > 100_000) {
                throw InvalidPostback.badRequest("parameters.page_info.total_pages must be at most 100000");
            }
        }
        JsonNode membersNode = p.get("members");
        if (membersNode == null || !membersNode.isArray()) {
            throw InvalidPostback.badRequest("parameters.members must be an array of member objects");
        }
        if (membersNode.size() > Ids.MAX_IDS_PER_REQUEST) {
            throw InvalidPostback.badRequest("at most " + Ids.MAX_IDS_PER_REQUEST + " members are allowed per request, got "
                    + membersNode.size());
        }
        Set<MemberRef> members = new LinkedHashSet<>();
        int skipped = 0;
        for (JsonNode m : membersNode) {
            if (!m.isObject()) {
                throw InvalidPostback.badRequest("parameters.members must contain only objects");
            }
            String id = Ids.text(m.get(settings.memberIdField()));
            if (id == null) {
                skipped++;
            } else if (id.length() > Ids.MAX_ID_LENGTH) {
                throw InvalidPostback.badRequest("member " + settings.memberIdField() + " values must be at most "
                        + Ids.MAX_ID_LENGTH + " characters");
            } else {
                members.add(new MemberRef(settings.memberIdKind(), id));
            }
        }
        return new MixpanelWebhook(action, projectId, cohortId, name, description, sessionId, pageIndex, totalPages,
                List.copyOf(members), skipped);
    }

    private static String requiredId(JsonNode p, String field) {
        String v = Ids.text(p.get(field));
        if (v == null) {
            throw InvalidPostback.badRequest("parameters." + field + " must be a non-empty string");
        }
        if (v.length() > 200) {
            throw InvalidPostback.badRequest("parameters." + field + " must be at most 200 characters");
        }
        return v;
    }

    private static String optionalText(JsonNode p, String field) {
        JsonNode n = p.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        String v = Ids.text(n);
        if (v == null && !(n.isTextual())) {
            throw InvalidPostback.badRequest("parameters." + field + " must be a string");
        }
        if (v != null && v.length() > 1000) {
            throw InvalidPostback.badRequest("parameters." + field + " must be at most 1000 characters");
        }
        return v;
    }

    private static int positiveInt(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            throw InvalidPostback.badRequest("parameters.page_info." + field + " must be a positive integer");
        }
        return n.asInt();
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
