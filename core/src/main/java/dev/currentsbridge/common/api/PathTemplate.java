package dev.currentsbridge.common.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** API Gateway path templates: literal segments and {@code {name}} segments that match one non-empty segment. */
public final class PathTemplate {

    private PathTemplate() {
    }

    /** The raw (still percent-encoded) segment of each {@code {name}} when {@code path} matches, else null. */
    public static Map<String, String> match(String template, String path) {
        String[] want = template.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(want[i].substring(1, want[i].length() - 1), got[i]);
            } else if (!want[i].equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
