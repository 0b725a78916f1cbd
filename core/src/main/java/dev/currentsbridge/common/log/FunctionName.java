package dev.currentsbridge.common.log;

/**
 * The value of the {@code Function} dimension of every EMF metric and of the {@code function} log key: one spelling
 * per function (snake_case), the one the dashboards and alarms of both templates name.
 */
public enum FunctionName {
    EXPORT("export"),
    CURRENTS_INGEST("currents_ingest"),
    COHORT_API("cohort_api"),
    COHORT_REFRESH("cohort_refresh");

    private final String dimension;

    FunctionName(String dimension) {
        this.dimension = dimension;
    }

    public String dimension() {
        return dimension;
    }
}
