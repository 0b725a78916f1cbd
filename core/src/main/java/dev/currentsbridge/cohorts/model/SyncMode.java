package dev.currentsbridge.cohorts.model;

import java.util.Locale;
import java.util.Optional;

/** How Mixpanel exports a cohort: once, or re-synced on Mixpanel's schedule (dynamic). */
public enum SyncMode {
    DYNAMIC("dynamic"), ONE_TIME("one_time");

    private final String wire;

    SyncMode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<SyncMode> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (SyncMode m : values()) {
            if (m.wire.equals(v) || m.name().equalsIgnoreCase(v) || (m == ONE_TIME && v.equals("onetime"))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
