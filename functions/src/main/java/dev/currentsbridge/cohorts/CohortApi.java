package dev.currentsbridge.cohorts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.domain.Cohort;
import dev.currentsbridge.cohorts.domain.CohortSettings;
import dev.currentsbridge.cohorts.domain.IdKind;
import dev.currentsbridge.cohorts.domain.Member;
import dev.currentsbridge.cohorts.domain.PostbackService;
import dev.currentsbridge.cohorts.domain.SyncMode;
import dev.currentsbridge.cohorts.domain.keys.CreatedKey;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.domain.keys.KeyRecord;
import dev.currentsbridge.cohorts.domain.postback.BrazePartner;
import dev.currentsbridge.cohorts.domain.postback.InvalidPostback;
import dev.currentsbridge.cohorts.domain.postback.MixpanelWebhook;
import dev.currentsbridge.cohorts.port.CohortStore;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.log.Log;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cohort API's routes, independent of API Gateway. Each route family answers errors in its caller's shape:
 * Mixpanel's webhook {@code {"action","status":"failure","error":{"message","code"}}}, Braze's partner API
 * {@code {"message"}}, the operator routes {@code {"message"}} too.
 *
 * <p>Authentication: the data import key. Mixpanel sends it as the HTTP Basic password (any user name), Braze's
 * partner shape as {@code client_secret}, the operator routes ({@code /cohorts...}, {@code /keys...}) as
 * {@code Authorization: Bearer <key>}. Key management over HTTP therefore needs an existing active key; the
 * very first key is created with {@link KeyAdmin} directly against the store (command line).
 */
public final class CohortApi {

    public static final int MAX_BODY_BYTES = 1024 * 1024;
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private static final Log LOG = Log.get(CohortApi.class);
    private static final Pattern COHORT = Pattern.compile("/cohorts/([^/]+)");
    private static final Pattern COHORT_MEMBERS = Pattern.compile("/cohorts/([^/]+)/members");
    private static final Pattern KEY = Pattern.compile("/keys/([^/]+)");

    private final CohortStore store;
    private final CohortSettings settings;
    private final KeyAdmin keys;
    private final PostbackService postbacks;

    public CohortApi(CohortStore store, CohortSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.keys = new KeyAdmin(store, clock);
        this.postbacks = new PostbackService(store, settings, clock);
    }

    public ApiReply handle(ApiRequest req) {
        String path = normalise(req.path());
        Family family = Family.of(path);
        try {
            if (req.body().length > MAX_BODY_BYTES) {
                throw new InvalidPostback(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return route(req, path);
        } catch (InvalidPostback e) {
            LOG.info("cohort api request refused", "route", family.name(), "status", e.status(), "reason", e.getMessage());
            return family.error(e.status(), e.getMessage(), actionOf(req, family), e.status() == 401);
        } catch (RuntimeException e) {
            LOG.error("cohort api request failed", "route", family.name(), "error", e.getClass().getSimpleName());
            return family.error(503, "temporarily unavailable, please retry", actionOf(req, family), false);
        }
    }

    private ApiReply route(ApiRequest req, String path) {
        String m = req.method();
        Matcher cohort = COHORT.matcher(path);
        Matcher members = COHORT_MEMBERS.matcher(path);
        Matcher key = KEY.matcher(path);
        return switch (path) {
            case "/mixpanel/webhook" -> only(m, "POST", () -> mixpanel(req));
            case "/partners/mixpanel/cohorts" -> only(m, "POST", () -> partnerCohort(req));
            case "/partners/mixpanel/cohorts/users" -> only(m, "POST", () -> partnerUsers(req));
            case "/cohorts" -> only(m, "GET", () -> listCohorts(req));
            case "/keys" -> switch (m) {
                case "GET" -> listKeys(req);
                case "POST" -> createKey(req);
                default -> throw methodNotAllowed("GET, POST");
            };
            default -> {
                if (members.matches()) {
                    yield only(m, "GET", () -> members(req, segment(members.group(1))));
                }
                if (cohort.matches()) {
                    yield switch (m) {
                        case "GET" -> getCohort(req, segment(cohort.group(1)));
                        case "PATCH" -> patchCohort(req, segment(cohort.group(1)));
                        default -> throw methodNotAllowed("GET, PATCH");
                    };
                }
                if (key.matches()) {
                    yield only(m, "DELETE", () -> revokeKey(req, segment(key.group(1))));
                }
                throw new InvalidPostback(404, "no such route: " + m + " " + truncate(path));
            }
        };
    }

    // ---- postbacks --------------------------------------------------------------------------------------------

    private ApiReply mixpanel(ApiRequest req) {
        Optional<JsonNode> body = tryParse(req);
        if (keys.authenticate(basicPassword(req)).isEmpty()) {
            throw new InvalidPostback(401, "invalid or missing data import key (send it as the HTTP Basic password)");
        }
        JsonNode root = body.orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
        MixpanelWebhook message = MixpanelWebhook.parse(root, settings);
        PostbackService.Receipt r = postbacks.acceptMixpanel(message);
        LOG.info("mixpanel postback", "action", message.action().wire(), "cohortId", message.cohortId(),
                "members", r.members(), "skippedWithoutId", r.skipped(), "duplicate", !r.stored(),
                "page", message.pageIndex(), "totalPages", message.totalPages());
        ObjectNode ok = Json.MAPPER.createObjectNode().put("action", message.action().wire()).put("status", "success");
        return json(200, ok);
    }

    private ApiReply partnerCohort(ApiRequest req) {
        JsonNode root = partnerAuthenticated(req);
        BrazePartner.CohortName c = BrazePartner.parseCohort(root);
        postbacks.acceptPartnerCohort(c);
        LOG.info("partner cohort upsert", "cohortId", c.cohortId());
        return success();
    }

    private ApiReply partnerUsers(ApiRequest req) {
        JsonNode root = partnerAuthenticated(req);
        BrazePartner.UserChanges c = BrazePartner.parseUsers(root);
        PostbackService.Receipt r = postbacks.acceptPartnerChanges(c);
        LOG.info("partner cohort changes", "cohortId", c.cohortId(), "added", c.added().size(),
                "removed", c.removed().size(), "ignoredDeviceIds", c.ignoredDeviceIds(), "duplicate", !r.stored());
        return success();
    }

    private JsonNode partnerAuthenticated(ApiRequest req) {
        JsonNode root = tryParse(req).orElseThrow(() -> InvalidPostback.badRequest("request body must be valid JSON"));
        if (keys.authenticate(BrazePartner.clientSecret(root)).isEmpty()) {
            throw new InvalidPostback(401, BrazePartner.INVALID_CLIENT_SECRET);
        }
        return root;
    }

    private static ApiReply success() {
        return json(200, Json.MAPPER.createObjectNode().put("message", "success"));
    }

    // ---- status -----------------------------------------------------------------------------------------------

    private ApiReply listCohorts(ApiRequest req) {
        operator(req);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode arr = out.putArray("cohorts");
        for (Cohort c : store.listCohorts()) {
            arr.add(describe(c));
        }
        return json(200, out);
    }

    private ApiReply getCohort(ApiRequest req, String cohortId) {
        operator(req);
        Cohort c = store.findCohort(cohortId).orElseThrow(() -> new InvalidPostback(404, "no such cohort"));
        return json(200, describe(c));
    }

    private ApiReply patchCohort(ApiRequest req, String cohortId) {
        operator(req);
        JsonNode root = tryParse(req).orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
        JsonNode mode = root.get("sync_mode");
        SyncMode syncMode = mode != null && mode.isTextual() ? SyncMode.parse(mode.asText()).orElse(null) : null;
        if (syncMode == null) {
            throw InvalidPostback.badRequest("sync_mode must be \"dynamic\" or \"one_time\"");
        }
        if (!store.setSyncMode(cohortId, syncMode)) {
            throw new InvalidPostback(404, "no such cohort");
        }
        LOG.info("cohort sync mode set", "cohortId", cohortId, "syncMode", syncMode.wire());
        return json(200, describe(store.findCohort(cohortId).orElseThrow()));
    }

    private ObjectNode describe(Cohort c) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("cohort_id", c.id());
        o.put("name", c.name());
        o.put("description", c.description());
        o.put("project_id", c.projectId());
        o.put("sync_mode", c.syncMode().wire());
        o.put("status", c.status().wire());
        o.put("braze_value", c.value(settings.valueSource()));
        o.put("created_at", str(c.createdAt()));
        o.put("last_postback_at", str(c.lastPostbackAt()));
        o.put("last_refresh_at", str(c.lastRefreshAt()));
        o.put("member_count", c.memberCount());
        o.put("pending_changes", c.pendingCount());
        o.put("queued_postbacks", store.unfoldedChanges(c.id()).size());
        o.put("open_sessions", store.openSessions(c.id()).size());
        o.put("data_points", c.dataPoints());
        o.put("last_error", c.lastError());
        return o;
    }

    private ApiReply members(ApiRequest req, String cohortId) {
        operator(req);
        Cohort c = store.findCohort(cohortId).orElseThrow(() -> new InvalidPostback(404, "no such cohort"));
        int limit = DEFAULT_PAGE;
        String limitText = req.query().get("limit");
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
        String cursor = req.query().get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw InvalidPostback.badRequest("cursor is not one this API returned");
            }
        }
        CohortStore.MemberPage page = store.members(cohortId, after, limit);
        String value = c.value(settings.valueSource());
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("cohort_id", cohortId);
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
        return json(200, out);
    }

    private static String pendingText(Member m, String value) {
        if (!m.pending(value)) {
            return "none";
        }
        String want = m.wanted(value);
        return want == null ? "remove" : m.applied() == null ? "add" : "rename";
    }

    // ---- keys -------------------------------------------------------------------------------------------------

    private ApiReply createKey(ApiRequest req) {
        KeyRecord caller = operator(req);
        String label = null;
        if (req.body().length > 0) {
            JsonNode root = tryParse(req).orElseThrow(() -> InvalidPostback.badRequest("body is not valid JSON"));
            JsonNode l = root.get("label");
            if (!root.isObject() || (l != null && !l.isNull() && !l.isTextual())) {
                throw InvalidPostback.badRequest("body must be an object with an optional string label");
            }
            label = l == null || l.isNull() ? null : l.asText();
        }
        CreatedKey created;
        try {
            created = keys.create(label);
        } catch (IllegalArgumentException e) {
            throw InvalidPostback.badRequest(e.getMessage());
        }
        LOG.info("data import key created", "keyId", created.record().keyId(), "by", caller.keyId());
        ObjectNode out = keyJson(created.record());
        out.put("key", created.secret());
        out.put("note", "store this key now: it is not shown again");
        return json(201, out);
    }

    private ApiReply listKeys(ApiRequest req) {
        operator(req);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode arr = out.putArray("keys");
        keys.list().forEach(k -> arr.add(keyJson(k)));
        return json(200, out);
    }

    private ApiReply revokeKey(ApiRequest req, String keyId) {
        KeyRecord caller = operator(req);
        Optional<KeyRecord> target = keys.list().stream().filter(k -> k.keyId().equals(keyId)).findFirst();
        if (target.isEmpty()) {
            throw new InvalidPostback(404, "no such key");
        }
        if (target.get().active() && keys.activeCount() <= 1) {
            throw new InvalidPostback(409, "refusing to revoke the last active key: create another one first");
        }
        keys.revoke(keyId);
        LOG.info("data import key revoked", "keyId", keyId, "by", caller.keyId());
        return json(200, keyJson(keys.list().stream().filter(k -> k.keyId().equals(keyId)).findFirst().orElseThrow()));
    }

    private static ObjectNode keyJson(KeyRecord k) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("key_id", k.keyId());
        o.put("label", k.label());
        o.put("created_at", str(k.createdAt()));
        o.put("last_used_at", str(k.lastUsedAt()));
        o.put("revoked_at", str(k.revokedAt()));
        o.put("active", k.active());
        return o;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private KeyRecord operator(ApiRequest req) {
        String auth = req.header("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        return keys.authenticate(presented)
                .orElseThrow(() -> new InvalidPostback(401, "invalid or missing data import key (send Authorization: Bearer <key>)"));
    }

    static String basicPassword(ApiRequest req) {
        String auth = req.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Optional<JsonNode> tryParse(ApiRequest req) {
        if (req.body().length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Json.MAPPER.readTree(req.body()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static String actionOf(ApiRequest req, Family family) {
        return family == Family.MIXPANEL ? tryParse(req).map(MixpanelWebhook::actionOf).orElse(null) : null;
    }

    private static ApiReply only(String method, String allowed, java.util.function.Supplier<ApiReply> route) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(allowed);
        }
        return route.get();
    }

    private static InvalidPostback methodNotAllowed(String allowed) {
        return new InvalidPostback(405, "method not allowed here; use " + allowed);
    }

    /** A percent-decoded path segment ('+' stays a plus: paths are not form-encoded). */
    static String segment(String raw) {
        try {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw InvalidPostback.badRequest("malformed percent-encoding in the path");
        }
    }

    static String normalise(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.isEmpty() ? "/" : p;
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    static ApiReply json(int status, JsonNode body) {
        try {
            return new ApiReply(status, Map.of("Content-Type", "application/json"), Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Route families decide the error shape. */
    enum Family {
        MIXPANEL, PARTNER, OPERATOR;

        static Family of(String path) {
            if (path.startsWith("/mixpanel/")) {
                return MIXPANEL;
            }
            return path.startsWith("/partners/") ? PARTNER : OPERATOR;
        }

        ApiReply error(int status, String message, String action, boolean unauthorized) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (this == MIXPANEL) {
                body.put("action", action);
                body.put("status", "failure");
                body.putObject("error").put("message", message).put("code", status);
            } else {
                body.put("message", message);
            }
            ApiReply r = json(status, body);
            if (unauthorized && this != PARTNER) {
                Map<String, String> h = new LinkedHashMap<>(r.headers());
                h.put("WWW-Authenticate", this == MIXPANEL ? "Basic realm=\"currents-bridge\"" : "Bearer");
                return new ApiReply(status, Map.copyOf(h), r.body());
            }
            return r;
        }
    }
}
