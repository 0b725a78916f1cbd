package dev.currentsbridge.export.domain;

import java.util.Map;

/**
 * One Braze Currents event, normalised from any of its three input forms (storage JSON, HTTP-connector
 * batch element, Avro record) so that the mapper sees the same thing whichever form it came in.
 *
 * @param type           Currents event type, e.g. {@code users.messages.email.Open}
 * @param id             Currents event id (source of {@code $insert_id})
 * @param timeSeconds    UNIX seconds
 * @param externalUserId the user's external id, or null (such events are skipped by rule)
 * @param fields         every other field, flat, by its storage-form name. Values are String, Long, Double,
 *                       Boolean, List or Map. The custom-event / purchase properties are under
 *                       {@code "properties"}: a JSON string (storage/Avro form) or a Map (HTTP form, from
 *                       {@code custom_properties} / {@code purchase_properties}); the mapper accepts both.
 */
public record CurrentsEvent(String type, String id, long timeSeconds, String externalUserId, Map<String, Object> fields) {
}
