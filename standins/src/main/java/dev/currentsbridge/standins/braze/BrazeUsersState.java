package dev.currentsbridge.standins.braze;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The users Braze holds, as the emulator keeps them: each user's array attributes ("external_id:u1" -> name -> values),
 * and the number of array values added and removed. Counting only, it keeps no user (a benchmark's heap stays the
 * bridge's).
 */
final class BrazeUsersState {

    private final Map<String, Map<String, Set<String>>> users = new ConcurrentHashMap<>();
    private final Set<String> rejectedUsers = ConcurrentHashMap.newKeySet();
    final AtomicLong arrayAdds = new AtomicLong();
    final AtomicLong arrayRemoves = new AtomicLong();
    volatile boolean countOnly;

    void reject(String user) {
        rejectedUsers.add(user);
    }

    boolean rejected(String user) {
        return rejectedUsers.contains(user);
    }

    /** True once an object naming the user was processed. */
    boolean knows(String user) {
        return users.containsKey(user);
    }

    /** Applies the object's array attribute changes ({@code {"add": [...], "remove": [...]}}). */
    void apply(String user, JsonNode o) {
        Map<String, Set<String>> attrs = countOnly ? null : users.computeIfAbsent(user, k -> new ConcurrentHashMap<>());
        o.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && (e.getValue().has("add") || e.getValue().has("remove"))) {
                arrayAdds.addAndGet(e.getValue().path("add").size());
                arrayRemoves.addAndGet(e.getValue().path("remove").size());
                if (attrs == null) {
                    return; // counting only
                }
                Set<String> values = attrs.computeIfAbsent(e.getKey(), k -> ConcurrentHashMap.newKeySet());
                e.getValue().path("add").forEach(v -> values.add(v.asText()));
                e.getValue().path("remove").forEach(v -> values.remove(v.asText()));
            }
        });
    }

    Set<String> values(String user, String attribute) {
        return new TreeSet<>(users.getOrDefault(user, Map.of()).getOrDefault(attribute, Set.of()));
    }

    Map<String, Set<String>> state(String attribute) {
        Map<String, Set<String>> out = new HashMap<>();
        users.forEach((u, attrs) -> {
            Set<String> v = attrs.get(attribute);
            if (v != null && !v.isEmpty()) {
                out.put(u, new TreeSet<>(v));
            }
        });
        return out;
    }

    void reset() {
        users.clear();
        rejectedUsers.clear();
        arrayAdds.set(0);
        arrayRemoves.set(0);
    }
}
