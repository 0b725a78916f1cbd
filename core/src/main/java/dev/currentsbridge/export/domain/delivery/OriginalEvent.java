package dev.currentsbridge.export.domain.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** The decoded Currents event in its flat storage form, as it goes into a reject. */
public final class OriginalEvent {

    private OriginalEvent() {
    }

    public static String json(CurrentsEvent e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        flat.put("event_type", e.type());
        flat.put("id", e.id());
        flat.put("time", e.timeSeconds());
        flat.put("external_user_id", e.externalUserId());
        if (e.fields() != null) {
            e.fields().forEach(flat::putIfAbsent);
        }
        try {
            return Json.MAPPER.writeValueAsString(flat);
        } catch (JsonProcessingException ex) {
            return "{\"event_type\":\"" + e.type() + "\",\"unserializable\":true}";
        }
    }
}
