package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a Braze {@code users.profile.Update} Currents event to one Mixpanel {@code /engage} update object,
 * following the {@link ProfileTable}. Immutable and thread-safe.
 *
 * <h2>Output</h2>
 * {@code {"$distinct_id":<external id>,"$set":{...}}}, written straight to bytes (byte-identical whatever form the
 * event came in); the delivery puts {@code "$token"} in front ({@link ProfileUpdate#withToken}) and sends
 * {@code ?ip=0} so that Mixpanel does not geolocate the profile from the Lambda's address. {@code $set} holds, in
 * this order: {@code $braze_external_id}; the table's properties (null/absent ones left out: a profile update
 * names only what it sets, nothing is unset); every custom attribute as {@code [Braze attribute] <key>}, sorted by
 * key, values written by the event rules (depth 3, containers cut to 254). A custom attribute whose prefixed name a
 * table row already wrote is dropped.
 *
 * <p>{@code $distinct_id} is the external id in both identity modes: on Simplified ID Merge the canonical
 * {@code distinct_id} of an identified user is the {@code $user_id}, and Mixpanel advises against profiles for
 * anonymous users, so an update without an external id is skipped by rule.
 */
public final class ProfileMapper {

    /** Mixpanel: each profile update at most 1 MB ({@code reference/user-profile-limits.mdx}). */
    public static final int MAX_UPDATE_BYTES = 1_000_000;

    private static final SerializedString DISTINCT_ID = new SerializedString("$distinct_id");
    private static final SerializedString SET = new SerializedString("$set");
    private static final SerializedString EXTERNAL_ID = new SerializedString(ProfileTable.EXTERNAL_ID_PROPERTY);

    private final String[] fields;
    private final SerializedString[] names;

    public ProfileMapper() {
        this(ProfileTable.standard());
    }

    public ProfileMapper(ProfileTable table) {
        List<PropertyRule> rows = table.rows();
        fields = new String[rows.size()];
        names = new SerializedString[rows.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = rows.get(i).field();
            names[i] = new SerializedString(rows.get(i).property());
        }
    }

    /** What one profile event came to. */
    public sealed interface ProfileResult {
    }

    /**
     * @param insertId the event's {@code $insert_id}-style key ({@link InsertIds}), for ledgers and rejects only
     * @param json     {@code {"$distinct_id":...,"$set":{...}}}
     */
    public record ProfileUpdate(String currentsType, String insertId, byte[] json) implements ProfileResult {

        /** The update object as sent: {@code {"$token":<token>,} followed by the rest of {@link #json}. */
        public byte[] withToken(String token) {
            byte[] head = ("{\"$token\":" + quoted(token) + ",").getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[head.length + json.length - 1];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(json, 1, out, head.length, json.length - 1);
            return out;
        }

        private static String quoted(String token) {
            try {
                return Json.MAPPER.writeValueAsString(token);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public record ProfileSkipped(String currentsType, SkipReason reason) implements ProfileResult {
    }

    /** The reason names the field, never its value. */
    public record ProfileInvalid(String currentsType, String reason) implements ProfileResult {
    }

    /** Whether this mapper handles the type. */
    public static boolean handles(String currentsType) {
        return ProfileTable.PROFILE_TYPE.equals(currentsType);
    }

    /** Never throws for any event; problems come back as {@link ProfileInvalid}. */
    public ProfileResult map(CurrentsEvent event) {
        String type = event.type();
        if (!handles(type)) {
            return new ProfileSkipped(type, SkipReason.TYPE_NOT_SELECTED);
        }
        String externalId = event.externalUserId();
        if (externalId == null || externalId.isBlank()) {
            return new ProfileSkipped(type, SkipReason.NO_EXTERNAL_USER_ID);
        }
        if (IdentitySource.isPlaceholder(externalId)) {
            return new ProfileInvalid(type, "external_user_id is a placeholder value Mixpanel rejects as distinct_id");
        }
        if (event.id() == null || event.id().isEmpty()) {
            return new ProfileInvalid(type, "missing id");
        }
        Map<String, Object> values = event.fields() == null ? Map.of() : event.fields();
        Object parsed = MixpanelValues.parseObject(values.get(ProfileTable.CUSTOM_ATTRIBUTES), ProfileTable.CUSTOM_ATTRIBUTES);
        if (parsed instanceof String reason) {
            return new ProfileInvalid(type, reason);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> custom = (Map<String, Object>) parsed;
        byte[] json;
        try {
            json = write(externalId, values, custom);
        } catch (IOException e) {
            return new ProfileInvalid(type, "cannot serialise profile update: " + e.getClass().getSimpleName());
        }
        if (json.length > MAX_UPDATE_BYTES) {
            return new ProfileInvalid(type, "profile update over 1 MB");
        }
        return new ProfileUpdate(type, InsertIds.fromCurrentsId(event.id()), json);
    }

    private byte[] write(String externalId, Map<String, Object> values, Map<String, Object> custom) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator gen = Json.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeFieldName(DISTINCT_ID);
            gen.writeString(externalId);
            gen.writeFieldName(SET);
            gen.writeStartObject();
            gen.writeFieldName(EXTERNAL_ID);
            gen.writeString(externalId);
            Set<String> written = new HashSet<>();
            for (int i = 0; i < fields.length; i++) {
                Object value = values.get(fields[i]);
                if (value != null) {
                    gen.writeFieldName(names[i]);
                    MixpanelValues.write(gen, value);
                    written.add(names[i].getValue());
                }
            }
            for (String key : MixpanelValues.sortedKeys(custom)) {
                String name = ProfileTable.ATTRIBUTE_PREFIX + key;
                if (!written.contains(name)) {
                    gen.writeFieldName(name);
                    MixpanelValues.write(gen, custom.get(key));
                }
            }
            gen.writeEndObject();
            gen.writeEndObject();
        }
        return out.toByteArray();
    }
}
