package dev.currentsbridge.export.domain.mapping;

/** What the mapper made of one Currents event. */
public sealed interface MappingResult {

    /**
     * A Mixpanel event ready for {@code /import}.
     *
     * @param eventName Mixpanel event name
     * @param insertId  the {@code $insert_id} (deterministic: derived only from the Currents id)
     * @param json      the exact bytes of {@code {"event":...,"properties":{...}}}, byte-identical for the
     *                  same event whichever input form it came in
     */
    record Mapped(String currentsType, String eventName, String insertId, byte[] json) implements MappingResult {
    }

    /** Not exported by a documented rule (no external_user_id, or no device id either; type not selected). */
    record Skipped(String currentsType, SkipReason reason) implements MappingResult {
    }

    /** Malformed for Mixpanel (e.g. time before 1971); rejected locally with a reason. */
    record Invalid(String currentsType, String reason) implements MappingResult {
    }

    enum SkipReason {
        NO_EXTERNAL_USER_ID("no_external_user_id"),
        /** With {@code EXPORT_ANONYMOUS}: neither an external id nor a usable device id. */
        NO_USER_OR_DEVICE_ID("no_external_user_id_or_device_id"),
        TYPE_NOT_SELECTED("type_not_selected");

        public final String label;

        SkipReason(String label) {
            this.label = label;
        }
    }
}
