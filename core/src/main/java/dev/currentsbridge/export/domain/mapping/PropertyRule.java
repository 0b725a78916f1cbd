package dev.currentsbridge.export.domain.mapping;

/**
 * One column of the mapping table: the Currents storage field and the Mixpanel property it is sent as
 * (the same name unless the table renames it, e.g. {@code content_card_id>card_id}).
 */
public record PropertyRule(String field, String property) {

    static PropertyRule parse(String spec) {
        int arrow = spec.indexOf('>');
        String field = (arrow < 0 ? spec : spec.substring(0, arrow)).trim();
        String property = (arrow < 0 ? spec : spec.substring(arrow + 1)).trim();
        if (field.isEmpty() || property.isEmpty()) {
            throw new IllegalArgumentException("empty property in '" + spec + "'");
        }
        return new PropertyRule(field, property);
    }
}
