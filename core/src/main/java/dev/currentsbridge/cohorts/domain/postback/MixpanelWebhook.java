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
 * <p>Mixpanel pauses a sync on any 400/401/403/404 until a person re-enables it, so only a body that is not
 * Mixpanel's shape at all is refused (400). Problems of single members never refuse the message: a member that
 * is not an object, or whose id (the configured field) is missing, empty, of the wrong type or longer than
 * {@link Ids#MAX_ID_LENGTH} characters, is skipped and counted ({@link SkippedMembers}). Pages of any size are
 * taken (the page size of a full sync is not documented; the 1 MiB body limit bounds them), and an empty diff
 * with zeros in {@code page_info} is page 1 of 1.
 *
 * @param sessionId      {@code mixpanel_session_id}; required for {@code members}, optional otherwise
 * @param pageIndex      {@code page_info.page_count} (1-based); 1 when absent or 0
 * @param skippedMembers members that cannot be matched to a Braze user, by reason
 */
public record MixpanelWebhook(Action action, String projectId, String cohortId, String cohortName,
                              String cohortDescription, String sessionId, int pageIndex, int totalPages,
                              List<MemberRef> members, SkippedMembers skippedMembers) {

    /** Members skipped for want of a usable id, by reason. */
    public record SkippedMembers(int withoutId, int wrongType, int tooLong, int notAnObject) {

        public static final SkippedMembers NONE = new SkippedMembers(0, 0, 0, 0);

        public int total() {
            return withoutId + wrongType + tooLong + notAnObject;
        }

        /** For the reply (Mixpanel shows its message in its UI), e.g. {@code 2 of 1500 members skipped: ...}. */
        public String summary(int ofMembers, String idField) {
            List<String> parts = new java.util.ArrayList<>();
            if (withoutId > 0) {
                parts.add(withoutId + " without " + idField);
            }
            if (wrongType > 0) {
                parts.add(wrongType + " with " + idField + " not a string or whole number");
            }
            if (tooLong > 0) {
                parts.add(tooLong + " with " + idField + " over " + Ids.MAX_ID_LENGTH + " characters");
            }
            if (notAnObject > 0) {
                parts.add(notAnObject + " not an object");
            }
            return total() + " of " + ofMembers + " members skipped (" + String.join(", ", parts)
                    + "): they cannot be matched to a Braze user; the others were accepted";
        }
    }

    /** Members skipped in total. */
    public int skipped() {
        return skippedMembers.total();
    }

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
            // Zeros come with empty diffs: such a message is the whole change, i.e. page 1 of 1.
            totalPages = Math.max(1, wholeNumber(pageInfo, "total_pages"));
            pageIndex = Math.max(1, wholeNumber(pageInfo, "page_count"));
            if (pageIndex > totalPages) {
                throw InvalidPostback.badRequest("parameters.page_info.page_count must not exceed total_pages");
            }
            if (totalPages > 100_000) {
                throw InvalidPostback.badRequest("parameters.page_info.total_pages must be at most 100000");
            }
        }
        JsonNode membersNode = p.get("members");
        if (membersNode != null && !membersNode.isNull() && !membersNode.isArray()) {
            throw InvalidPostback.badRequest("parameters.members must be an array of member objects");
        }
        Set<MemberRef> members = new LinkedHashSet<>();
        int withoutId = 0;
        int wrongType = 0;
        int tooLong = 0;
        int notAnObject = 0;
        for (JsonNode m : membersNode == null ? List.<JsonNode>of() : membersNode) {
            if (!m.isObject()) {
                notAnObject++;
                continue;
            }
            JsonNode idNode = m.get(settings.memberIdField());
            String id = Ids.text(idNode);
            if (id != null && id.length() > Ids.MAX_ID_LENGTH) {
                tooLong++;
            } else if (id != null) {
                members.add(new MemberRef(settings.memberIdKind(), id));
            } else if (idNode == null || idNode.isNull() || idNode.isTextual()) {
                withoutId++;
            } else {
                wrongType++;
            }
        }
        return new MixpanelWebhook(action, projectId, cohortId, name, description, sessionId, pageIndex, totalPages,
                List.copyOf(members), new SkippedMembers(withoutId, wrongType, tooLong, notAnObject));
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

    private static int wholeNumber(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
            throw InvalidPostback.badRequest("parameters.page_info." + field + " must be a whole number");
        }
        return n.asInt();
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
