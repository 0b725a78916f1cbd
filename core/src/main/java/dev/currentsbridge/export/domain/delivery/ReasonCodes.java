package dev.currentsbridge.export.domain.delivery;

import java.util.Locale;

/** Bounded, data-free reason codes for ledger buckets and metric names, made from free-text reasons. */
public final class ReasonCodes {

    private static final int MAX_LENGTH = 64;

    private ReasonCodes() {
    }

    /** {@code prefix:text} with digits folded to {@code N} and anything but {@code [a-z0-9._:$-]} to {@code _}. */
    public static String of(String prefix, String text) {
        String t = text == null ? "unknown" : text.toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(prefix.length() + 1 + Math.min(t.length(), MAX_LENGTH));
        b.append(prefix).append(':');
        boolean lastWasDigit = false;
        for (int i = 0; i < t.length() && b.length() < prefix.length() + 1 + MAX_LENGTH; i++) {
            char c = t.charAt(i);
            if (c >= '0' && c <= '9') {
                if (!lastWasDigit) {
                    b.append('N');
                }
                lastWasDigit = true;
                continue;
            }
            lastWasDigit = false;
            boolean keep = (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '$' || c == ':';
            b.append(keep ? c : '_');
        }
        return b.toString();
    }
}
