package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.IdKind;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.PostbackCounts;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/** The cohort API's JSON views: a cohort's status, a page of members, a key (never its secret), and body parsing. */
final class CohortJson {

    private final CohortRegistry registry;
    private final CohortSettings settings;

    CohortJson(CohortRegistry registry, CohortSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    ObjectNode describe(Cohort c) {
        return describe(c, registry.postbackCounts(c.id()));
    }

    /** {@code counts} as kept by the postback log (no records are read or counted here). */
    ObjectNode describe(Cohort c, PostbackCounts counts) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("cohort_id", c.id());
        o.put("name", c.name());
        o.put("description", c.description());
        o.put("project_id", c.projectId());
        o.put("sync_mode", c.syncMode().wire());
        o.put("status", c.effectiveStatus().wire());
        o.put("braze_value", c.value(settings.valueSource()));
        o.put("created_at", str(c.createdAt()));
        o.put("last_postback_at", str(c.lastPostbackAt()));
        o.put("last_refresh_at", str(c.lastRefreshAt()));
        o.put("member_count", c.memberCount());
        o.put("pending_changes", c.pendingCount());
        o.put("queued_postbacks", counts.queuedChanges());
        o.put("open_sessions", counts.openSessions());
        o.put("skipped_members", counts.skippedMembers());
        o.put("data_points", c.dataPoints());
        o.put("last_error", c.lastError());
        // members Braze did not know or refused, and the share it took
        o.put("unmatched_members", c.unmatchedCount());
        o.put("match_rate", c.memberCount() == 0 ? 1.0
                : Math.max(0, c.memberCount() - c.unmatchedCount()) / (double) c.memberCount());
        o.put("over_array_cap", c.overArrayCap());
        o.put("held_removals", c.heldRemovals());
        o.put("removals_confirmed", c.removalsConfirmed());
        return o;
    }

    ObjectNode members(Cohort c, Membership.MemberPage page) {
        String value = c.value(settings.valueSource());
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("cohort_id", c.id());
        ArrayNode arr = out.putArray("members");
        for (Member m : page.members()) {
            ObjectNode o = arr.addObject();
            if (m.ref().kind() == IdKind.USER_ALIAS) {
                // as Braze names the user: its stored id is an internal encoding of the pair
                o.putObject("user_alias").put("alias_name", m.ref().aliasName()).put("alias_label", m.ref().aliasLabel());
            } else {
                o.put("id", m.ref().id());
            }
            o.put("id_type", m.ref().kind().brazeField());
            o.put("in_cohort", m.desired());
            o.put("in_braze", m.applied());
            o.put("pending", pendingText(m, value));
            if (m.rejectReason() != null) {
                o.put("rejected", m.rejectReason());
            }
        }
        out.put("next_cursor", page.nextKey() == null ? null
                : Base64.getUrlEncoder().withoutPadding().encodeToString(page.nextKey().getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static String pendingText(Member m, String value) {
        if (!m.pending(value)) {
            return "none";
        }
        String want = m.wanted(value);
        return want == null ? "remove" : m.applied() == null ? "add" : "rename";
    }

    static ObjectNode key(KeyRecord k) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("key_id", k.keyId());
        o.put("label", k.label());
        o.put("role", k.role().wire());
        o.put("project_id", k.projectId());
        o.put("created_at", str(k.createdAt()));
        o.put("last_used_at", str(k.lastUsedAt()));
        o.put("revoked_at", str(k.revokedAt()));
        o.put("active", k.active());
        return o;
    }

    /** The body as JSON; empty when there is none or it is not JSON (each route words that refusal its way). */
    static Optional<JsonNode> tryParse(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.MAPPER.readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
