package dev.currentsbridge.export.domain.delivery;

/**
 * Size limits of one {@code /import} request.
 *
 * @param maxEvents     events per request (Mixpanel: 2000)
 * @param maxBodyBytes  uncompressed JSON array bytes per request (Mixpanel says 10 MB, older docs 2 MB: keep 9 MB
 *                      and split on a size error)
 * @param maxEventBytes one event's JSON (Mixpanel: under 1 MB); larger ones are rejected locally
 */
public record BatchLimits(int maxEvents, long maxBodyBytes, int maxEventBytes) {

    public static final BatchLimits MIXPANEL = new BatchLimits(2000, 9L * 1024 * 1024, 1024 * 1024 - 1);

    public BatchLimits {
        if (maxEvents < 1 || maxBodyBytes < 2 || maxEventBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** Bytes of the JSON array {@code [e1,e2,...]} holding events of {@code payloadBytes} in total. */
    public static long arrayBytes(int events, long payloadBytes) {
        return payloadBytes + 2 + Math.max(0, events - 1);
    }
}
