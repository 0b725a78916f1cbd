package dev.currentsbridge.export.domain.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappingConfigTest {

    private final MappingTable table = MappingTable.standard();

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"default", " DEFAULT ", "default,"})
    void defaultIsTheSeedSelection(String setting) {
        MappingConfig config = MappingConfig.parse(setting, null);
        assertEquals(table.defaultTypes(), config.selectedTypes());
        assertEquals(41, config.selectedTypes().size());
        assertEquals(Map.of(), config.nameOverrides());
        assertEquals(MappingConfig.defaults(), config);
    }

    @Test
    void allIsEveryTableType() {
        assertEquals(table.allTypes(), MappingConfig.parse("all", "").selectedTypes());
        assertEquals(102, MappingConfig.parse("all", "").selectedTypes().size());
    }

    @Test
    void explicitListsAndKeywordsMixAndKeepTableOrder() {
        assertEquals(List.of("users.behaviors.Purchase", "users.messages.email.Open"),
                List.copyOf(MappingConfig.parse(" users.messages.email.Open , users.behaviors.Purchase", null).selectedTypes()));
        MappingConfig mixed = MappingConfig.parse("users.profile.Update,default", null);
        assertEquals(42, mixed.selectedTypes().size());
        assertTrue(mixed.selectedTypes().contains("users.profile.Update"));
    }

    @Test
    void unknownTypesAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MappingConfig.parse("users.messages.email.Open,users.messages.emial.Click", null));
        assertTrue(e.getMessage().contains("EXPORT_EVENT_TYPES"), e.getMessage());
        assertTrue(e.getMessage().contains("'users.messages.emial.Click'"), e.getMessage());
    }

    @Test
    void aListOfOnlyCommasSelectsNothingAndIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MappingConfig.parse(" , ,", null));
    }

    @Test
    void namesAreParsedFromAJsonObject() {
        MappingConfig config = MappingConfig.parse("default",
                "{\"users.campaigns.Conversion\":\"Campaign Conversion\",\"users.messages.sms.CarrierSend\":\" SMS Carrier Send \"}");
        assertEquals(Map.of("users.campaigns.Conversion", "Campaign Conversion",
                "users.messages.sms.CarrierSend", "SMS Carrier Send"), config.nameOverrides());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[\"a\"]", "\"x\"", "{\"users.nope.Type\":\"X\"}",
            "{\"users.behaviors.Purchase\":\"\"}", "{\"users.behaviors.Purchase\":7}"})
    void badNameSettingsAreRejectedWithAClearMessage(String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MappingConfig.parse("default", json));
        assertTrue(e.getMessage().startsWith("EXPORT_EVENT_NAMES"), e.getMessage());
    }

    @Test
    void theConfigIsImmutable() {
        MappingConfig config = MappingConfig.defaults();
        assertThrows(UnsupportedOperationException.class, () -> config.selectedTypes().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> config.nameOverrides().put("x", "y"));
    }
}
