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

    /** Mixpanel's documented limits of one {@code /import} request (what its emulator in {@code standins} enforces). */
    public static final int MIXPANEL_MAX_EVENTS = 2000;
    public static final long MIXPANEL_MAX_BODY_BYTES = 10L * 1024 * 1024;
    /** One event must be under 1 MB. */
    public static final int MIXPANEL_MAX_EVENT_BYTES = 1024 * 1024 - 1;

    /** What the exporter packs: Mixpanel's limits, with the body kept at 9 MB (older docs say 2 MB; see above). */
    public static final BatchLimits MIXPANEL = new BatchLimits(MIXPANEL_MAX_EVENTS, 9L * 1024 * 1024,
            MIXPANEL_MAX_EVENT_BYTES);

    /**
     * What the exporter packs for {@code /engage}: at most 2000 updates per request and each update at most 1 MB
     * ({@code reference/user-profile-limits.mdx}; the mapper refuses updates over 1,000,000 bytes, 256 bytes are kept
     * for the {@code $token} the adapter adds). Mixpanel documents no body limit for {@code /engage}: the body is
     * kept at the {@code /import} one, and a size error splits the batch as on {@code /import}.
     */
    public static final int MIXPANEL_ENGAGE_MAX_UPDATES = 2000;
    public static final int MIXPANEL_ENGAGE_MAX_UPDATE_BYTES = 1_000_000;
    public static final BatchLimits MIXPANEL_ENGAGE = new BatchLimits(MIXPANEL_ENGAGE_MAX_UPDATES, 9L * 1024 * 1024,
            MIXPANEL_ENGAGE_MAX_UPDATE_BYTES - 256);

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
