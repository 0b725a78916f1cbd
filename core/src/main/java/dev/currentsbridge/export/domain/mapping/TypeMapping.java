package dev.currentsbridge.export.domain.mapping;

import java.util.List;

/**
 * One row of the mapping table.
 *
 * @param currentsType      e.g. {@code users.messages.email.Open}
 * @param mixpanelName      the default Mixpanel event name (for custom events: the prefix before the event's name)
 * @param selectedByDefault part of the seed's list (the {@code default} selection)
 * @param extra             which prefixed free-form properties the type carries
 * @param properties        table properties in output order
 */
public record TypeMapping(String currentsType, String mixpanelName, boolean selectedByDefault, ExtraProperties extra,
                          List<PropertyRule> properties) {

    public TypeMapping {
        properties = List.copyOf(properties);
    }
}
