package dev.currentsbridge.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An API function's answer: status, headers, JSON body. */
public record ApiReply(int status, Map<String, String> headers, String body) {

    public static ApiReply json(int status, JsonNode body) {
        try {
            return new ApiReply(status, Map.of("Content-Type", "application/json"), Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public ApiReply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiReply(status, Map.copyOf(h), body);
    }
}
