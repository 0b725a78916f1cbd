package dev.currentsbridge.cohorts.domain.postback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.cohorts.model.MemberRef;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Braze's partner cohort import requests ({@code /partners/<partner>/cohorts[/users]}, braze-api.md section 2),
 * with Braze's documented error messages. {@code user_ids} become external-id members and {@code aliases} user-alias
 * members ({@link MemberRef#alias}), both written with {@code /users/track}. {@code device_ids} cannot name a user
 * there: they are validated and counted toward the 1000-id limit but not applied
 * ({@link UserChanges#ignoredDeviceIds()}).
 */
public final class BrazePartner {

    public static final String INVALID_CLIENT_SECRET = "Invalid client secret";
    public static final String INVALID_COHORT_ID = "cohort_id must be a valid string";
    public static final String INVALID_CHANGES = "cohort_changes must be an array of objects each with key user_ids"
            + " and/or device_ids mapping to an array of strings, or an aliases object";
    public static final String TOO_MANY_IDS = "Only 1,000 user_ids, device_ids, and aliases are allowed per request";
    public static final String INVALID_NAME = "name must be a non-empty string";
    public static final String INVALID_CREATED_AT = "created_at must be a valid time as an ISO-8601 string";

    private BrazePartner() {
    }

    /** {@code POST .../cohorts}: create or rename. */
    public record CohortName(String cohortId, String name, Instant createdAt) {
    }

    /**
     * {@code POST .../cohorts/users}: the net change per user (a later entry for the same user wins), so the two
     * lists are disjoint and their order does not matter.
     */
    public record UserChanges(String cohortId, List<MemberRef> added, List<MemberRef> removed, int ignoredDeviceIds) {
    }

    /** The data import key as sent, or null. Checked before the other fields, as Braze does. */
    public static String clientSecret(JsonNode root) {
        JsonNode n = root == null ? null : root.get("client_secret");
        return n != null && n.isTextual() ? n.asText() : null;
    }

    public static CohortName parseCohort(JsonNode root) {
        requireObject(root);
        String cohortId = cohortId(root);
        JsonNode name = root.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw InvalidPostback.badRequest(INVALID_NAME);
        }
        if (name.asText().length() > 1000) {
            throw InvalidPostback.badRequest(INVALID_NAME);
        }
        JsonNode created = root.get("created_at");
        if (created == null || !created.isTextual()) {
            throw InvalidPostback.badRequest(INVALID_CREATED_AT);
        }
        Instant createdAt;
        try {
            createdAt = OffsetDateTime.parse(created.asText()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                createdAt = Instant.parse(created.asText());
            } catch (DateTimeParseException e2) {
                throw InvalidPostback.badRequest(INVALID_CREATED_AT);
            }
        }
        return new CohortName(cohortId, name.asText().strip(), createdAt);
    }

    public static UserChanges parseUsers(JsonNode root) {
        requireObject(root);
        String cohortId = cohortId(root);
        JsonNode changes = root.get("cohort_changes");
        if (changes == null || !changes.isArray()) {
            throw InvalidPostback.badRequest(INVALID_CHANGES);
        }
        int idCount = 0;
        int ignoredDevices = 0;
        Map<MemberRef, Boolean> net = new LinkedHashMap<>();
        for (JsonNode c : changes) {
            if (!c.isObject()) {
                throw InvalidPostback.badRequest(INVALID_CHANGES);
            }
            JsonNode userIds = c.get("user_ids");
            JsonNode deviceIds = c.get("device_ids");
            JsonNode aliases = c.get("aliases");
            if (userIds == null && deviceIds == null && aliases == null) {
                throw InvalidPostback.badRequest(INVALID_CHANGES);
            }
            JsonNode remove = c.get("should_remove");
            if (remove != null && !remove.isBoolean() && !remove.isNull()) {
                throw InvalidPostback.badRequest(INVALID_CHANGES);
            }
            boolean shouldRemove = remove != null && remove.asBoolean(false);
            List<String> users = strings(userIds);
            List<String> devices = strings(deviceIds);
            List<MemberRef> aliasRefs = aliases(aliases);
            idCount += users.size() + devices.size() + aliasRefs.size();
            if (idCount > Ids.MAX_IDS_PER_REQUEST) {
                throw InvalidPostback.badRequest(TOO_MANY_IDS);
            }
            ignoredDevices += devices.size();
            List<MemberRef> refs = new ArrayList<>(users.size() + aliasRefs.size());
            users.forEach(u -> refs.add(MemberRef.externalId(u)));
            refs.addAll(aliasRefs);
            for (MemberRef ref : refs) {
                net.remove(ref); // re-insert so the latest entry decides
                net.put(ref, !shouldRemove);
            }
        }
        List<MemberRef> added = new ArrayList<>();
        List<MemberRef> removed = new ArrayList<>();
        net.forEach((ref, in) -> (in ? added : removed).add(ref));
        return new UserChanges(cohortId, added, removed, ignoredDevices);
    }

    private static void requireObject(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw InvalidPostback.badRequest("request body must be a JSON object");
        }
    }

    private static String cohortId(JsonNode root) {
        JsonNode n = root.get("cohort_id");
        if (n == null || !n.isTextual() || n.asText().isBlank() || n.asText().length() > 200) {
            throw InvalidPostback.badRequest(INVALID_COHORT_ID);
        }
        return n.asText().strip();
    }

    private static List<String> strings(JsonNode arr) {
        return elements(arr, n -> {
            if (!nonBlankText(n) || n.asText().length() > Ids.MAX_ID_LENGTH) {
                throw InvalidPostback.badRequest(INVALID_CHANGES);
            }
            return n.asText();
        });
    }

    /**
     * {@code [{"alias_name": "...", "alias_label": "..."}]}: both non-blank strings. Name and label together are
     * capped at {@link Ids#MAX_ID_LENGTH} chars, as one id is: that bounds a 1000-member change item, and keeps the
     * member's DynamoDB sort key ({@code member#alias#<n>:<label><name>}) under its 1024-byte limit.
     */
    private static List<MemberRef> aliases(JsonNode arr) {
        return elements(arr, a -> {
            JsonNode name = a.get("alias_name");
            JsonNode label = a.get("alias_label");
            if (!a.isObject() || !nonBlankText(name) || !nonBlankText(label)
                    || name.asText().length() + label.asText().length() > Ids.MAX_ID_LENGTH) {
                throw InvalidPostback.badRequest(INVALID_CHANGES);
            }
            return MemberRef.alias(name.asText(), label.asText());
        });
    }

    /** An optional array of at most 1000 elements, each parsed by {@code element} (which throws on a bad one). */
    private static <T> List<T> elements(JsonNode arr, Function<JsonNode, T> element) {
        if (arr == null || arr.isNull()) {
            return List.of();
        }
        if (!arr.isArray()) {
            throw InvalidPostback.badRequest(INVALID_CHANGES);
        }
        if (arr.size() > Ids.MAX_IDS_PER_REQUEST) {
            throw InvalidPostback.badRequest(TOO_MANY_IDS);
        }
        List<T> out = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            out.add(element.apply(n));
        }
        return out;
    }

    private static boolean nonBlankText(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isBlank();
    }
}
