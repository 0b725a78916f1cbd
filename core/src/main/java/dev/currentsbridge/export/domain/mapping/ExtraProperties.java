package dev.currentsbridge.export.domain.mapping;

/**
 * The free-form properties an event type carries besides its table columns (the Currents field
 * {@code properties}), and the prefix the seed puts in front of each of their keys.
 */
public enum ExtraProperties {
    NONE("-", null),
    /** Custom events: also named {@code <table name> <name field>}, e.g. {@code [Braze Custom Event] Added To Cart}. */
    CUSTOM_EVENT("custom", "[Custom event property] "),
    PURCHASE("purchase", "[Purchase property] ");

    /** The word used in the table's {@code extra} column. */
    public final String tableKeyword;
    /** Prepended to every property key, or null when the type has no extra properties. */
    public final String keyPrefix;

    ExtraProperties(String tableKeyword, String keyPrefix) {
        this.tableKeyword = tableKeyword;
        this.keyPrefix = keyPrefix;
    }

    static ExtraProperties fromTableKeyword(String keyword) {
        for (ExtraProperties extra : values()) {
            if (extra.tableKeyword.equals(keyword)) {
                return extra;
            }
        }
        throw new IllegalArgumentException("unknown extra-properties keyword '" + keyword + "'");
    }
}
