package dev.currentsbridge.export.domain.input;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs HTTP-connector events into {@code {"events":[...]}} bodies that each fit one queue message (SQS: 256 KB),
 * keeping their order.
 */
public final class HttpBatchSplitter {

    private static final String HEAD = "{\"events\":[";
    private static final String TAIL = "]}";
    private static final int OVERHEAD = HEAD.length() + TAIL.length();

    private HttpBatchSplitter() {
    }

    /** The largest single event (UTF-8 bytes) a message of {@code maxMessageBytes} can carry. */
    public static int maxEventBytes(int maxMessageBytes) {
        return maxMessageBytes - OVERHEAD;
    }

    /** @throws EventTooLargeException when one event alone cannot fit in a message */
    public static List<String> split(List<String> eventJsons, int maxMessageBytes) {
        List<String> bodies = new ArrayList<>();
        StringBuilder current = new StringBuilder(HEAD);
        int currentBytes = OVERHEAD;
        int inCurrent = 0;
        for (String e : eventJsons) {
            int bytes = e.getBytes(StandardCharsets.UTF_8).length;
            if (OVERHEAD + bytes > maxMessageBytes) {
                throw new EventTooLargeException(bytes, maxMessageBytes);
            }
            int needed = bytes + (inCurrent > 0 ? 1 : 0);
            if (inCurrent > 0 && currentBytes + needed > maxMessageBytes) {
                bodies.add(current.append(TAIL).toString());
                current = new StringBuilder(HEAD);
                currentBytes = OVERHEAD;
                inCurrent = 0;
                needed = bytes;
            }
            if (inCurrent > 0) {
                current.append(',');
            }
            current.append(e);
            currentBytes += needed;
            inCurrent++;
        }
        if (inCurrent > 0) {
            bodies.add(current.append(TAIL).toString());
        }
        return bodies;
    }

    public static final class EventTooLargeException extends RuntimeException {
        public EventTooLargeException(int bytes, int max) {
            super("one event of " + bytes + " bytes cannot fit a queue message of " + max + " bytes");
        }
    }
}
