package dev.currentsbridge.standins.mixpanel;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads an {@code /import} body as it streams in (fed in chunks, no tree), counting its events (the top-level
 * objects of a JSON array, or of NDJSON) and, if asked, handing over each {@code $insert_id} value. Cheap on
 * purpose: a sink or quota in front of a benchmark must cost the same and little whoever sends to it. Insert
 * ids are plain ({@code [A-Za-z0-9-]}, at most 36 characters, as Mixpanel requires), so escapes are not decoded.
 */
public final class ImportBodyScanner {

    private static final byte[] INSERT_ID_KEY = "$insert_id".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_CAPTURE = 64;

    private final Consumer<String> insertIds;
    private long events;
    private int depth;
    private boolean rootArray;
    private boolean inString;
    private boolean escaped;
    private final byte[] string = new byte[MAX_CAPTURE];
    private int stringLength;
    private boolean afterInsertIdKey;

    /** Counts events only. */
    public ImportBodyScanner() {
        this(null);
    }

    /** Counts events and passes every {@code $insert_id} value to {@code insertIds} (null: none). */
    public ImportBodyScanner(Consumer<String> insertIds) {
        this.insertIds = insertIds;
    }

    public long events() {
        return events;
    }

    public void scan(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            byte c = b[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    stringEnded();
                    continue;
                }
                if (stringLength < MAX_CAPTURE) {
                    string[stringLength] = c;
                }
                stringLength++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    stringLength = 0;
                }
                case '[', '{' -> {
                    afterInsertIdKey = false;
                    if (depth == 0) {
                        rootArray = c == '[';
                    }
                    depth++;
                    if (c == '{' && depth == (rootArray ? 2 : 1)) {
                        events++;
                    }
                }
                case ']', '}' -> {
                    afterInsertIdKey = false;
                    depth--;
                }
                case ',' -> afterInsertIdKey = false;
                default -> {
                }
            }
        }
    }

    private void stringEnded() {
        if (insertIds == null) {
            return;
        }
        if (afterInsertIdKey) {
            afterInsertIdKey = false;
            if (stringLength <= MAX_CAPTURE) {
                insertIds.accept(new String(string, 0, stringLength, StandardCharsets.US_ASCII));
            }
            return;
        }
        afterInsertIdKey = stringLength == INSERT_ID_KEY.length && java.util.Arrays.equals(string, 0, stringLength,
                INSERT_ID_KEY, 0, INSERT_ID_KEY.length);
    }
}
