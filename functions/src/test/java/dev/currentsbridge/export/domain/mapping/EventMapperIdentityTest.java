package dev.currentsbridge.export.domain.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.export.domain.CurrentsEvent;
import dev.currentsbridge.export.domain.mapping.MappingResult.Invalid;
import dev.currentsbridge.export.domain.mapping.MappingResult.Mapped;
import dev.currentsbridge.export.domain.mapping.MappingResult.SkipReason;
import dev.currentsbridge.export.domain.mapping.MappingResult.Skipped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code IDENTITY_MODE} and {@code EXPORT_ANONYMOUS}: parsing, and what the mapper writes in each. */
class EventMapperIdentityTest {

    private static final String UNINSTALL = "users.behaviors.Uninstall";
    private static final String CUSTOM = "users.behaviors.CustomEvent";
    private static final long TIME = 1_764_300_000L;

    private static final EventMapper SIMPLIFIED = new EventMapper(MappingConfig.defaults(),
            new IdentityConfig(IdentityMode.SIMPLIFIED, false));
    private static final EventMapper ANONYMOUS = new EventMapper(MappingConfig.defaults(),
            new IdentityConfig(IdentityMode.SIMPLIFIED, true));

    private static CurrentsEvent uninstall(String user, Object device) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("app_id", "app-1");
        if (device != null) {
            fields.put("device_id", device);
        }
        return new CurrentsEvent(UNINSTALL, "3f1e-77", TIME, user, fields);
    }

    private static String json(MappingResult result) {
        return new String(assertInstanceOf(Mapped.class, result).json(), StandardCharsets.UTF_8);
    }

    @Test
    void parsingDefaultsToTodaysBehaviour() {
        assertEquals(IdentityConfig.DEFAULT, IdentityConfig.parse(null, null));
        assertEquals(IdentityConfig.DEFAULT, IdentityConfig.parse(" ", ""));
        assertEquals(new IdentityConfig(IdentityMode.DISTINCT_ID, false), IdentityConfig.parse("Distinct_ID", "false"));
        assertEquals(new IdentityConfig(IdentityMode.SIMPLIFIED, true), IdentityConfig.parse(" SIMPLIFIED ", "yes"));
        assertEquals(new IdentityConfig(IdentityMode.SIMPLIFIED, false), IdentityConfig.parse("simplified", "0"));
    }

    @Test
    void badValuesNameTheSettingAndTheAcceptedValues() {
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> IdentityConfig.parse("original", null));
        assertTrue(mode.getMessage().contains("IDENTITY_MODE must be distinct_id or simplified"), mode.getMessage());
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> IdentityConfig.parse("simplified", "maybe"));
        assertTrue(flag.getMessage().contains("EXPORT_ANONYMOUS must be true or false"), flag.getMessage());
    }

    @Test
    void anonymousExportIsRefusedInDistinctIdMode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdentityConfig.parse("distinct_id", "true"));
        assertTrue(e.getMessage().contains("EXPORT_ANONYMOUS=true needs IDENTITY_MODE=simplified"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdentityConfig.parse(null, "true"), "the default mode too");
    }

    @Test
    void theExportFunctionsSettingsFailAsConfigErrors() {
        ConfigException anonymous = assertThrows(ConfigException.class, () -> ExportMappingSettings.mapper(
                Env.of(Map.of("EXPORT_ANONYMOUS", "true"))));
        assertTrue(anonymous.getMessage().contains("IDENTITY_MODE=simplified"), anonymous.getMessage());
        ConfigException types = assertThrows(ConfigException.class, () -> ExportMappingSettings.mapper(
                Env.of(Map.of("EXPORT_EVENT_TYPES", "users.nope", "IDENTITY_MODE", "simplified"))));
        assertTrue(types.getMessage().startsWith("EXPORT_EVENT_TYPES / EXPORT_EVENT_NAMES: "), types.getMessage());
        EventMapper mapper = ExportMappingSettings.mapper(Env.of(Map.of("IDENTITY_MODE", "simplified",
                "EXPORT_ANONYMOUS", "true")));
        assertTrue(json(mapper.map(uninstall(null, "d-1"))).contains("\"distinct_id\":\"$device:d-1\""));
        EventMapper byDefault = ExportMappingSettings.mapper(Env.of(Map.of()));
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_EXTERNAL_USER_ID), byDefault.map(uninstall(null, "d-1")));
    }

    @Test
    void exactBytesInSimplifiedMode() {
        assertEquals("{\"event\":\"Uninstall\",\"properties\":{\"time\":1764300000000,\"distinct_id\":\"user-1\","
                        + "\"$insert_id\":\"3f1e-77\",\"ip\":0,\"$user_id\":\"user-1\",\"$device_id\":\"d-1\","
                        + "\"app_id\":\"app-1\"}}",
                json(SIMPLIFIED.map(uninstall("user-1", "d-1"))));
        assertEquals("{\"event\":\"Uninstall\",\"properties\":{\"time\":1764300000000,\"distinct_id\":\"user-1\","
                        + "\"$insert_id\":\"3f1e-77\",\"ip\":0,\"$user_id\":\"user-1\",\"app_id\":\"app-1\"}}",
                json(SIMPLIFIED.map(uninstall("user-1", null))), "no device: $user_id alone");
        assertEquals("{\"event\":\"Uninstall\",\"properties\":{\"time\":1764300000000,\"distinct_id\":\"$device:d-1\","
                        + "\"$insert_id\":\"3f1e-77\",\"ip\":0,\"$device_id\":\"d-1\",\"app_id\":\"app-1\"}}",
                json(ANONYMOUS.map(uninstall(null, "d-1"))));
    }

    @Test
    void theDefaultModeIgnoresTheDeviceId() {
        EventMapper byDefault = new EventMapper(MappingConfig.defaults());
        assertEquals(json(byDefault.map(uninstall("user-1", null))), json(byDefault.map(uninstall("user-1", "d-1"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "undefined", "00000000-0000-0000-0000-000000000000", " 0 ", "", "  "})
    void placeholderOrBlankDeviceIdsAreNotUsed(String device) {
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_USER_OR_DEVICE_ID), ANONYMOUS.map(uninstall(null, device)));
        String known = json(ANONYMOUS.map(uninstall("user-1", device)));
        assertFalse(known.contains("$device_id"), known);
        assertTrue(known.contains("\"$user_id\":\"user-1\""));
    }

    @Test
    void aDeviceIdThatIsNotAStringIsNotUsed() {
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_USER_OR_DEVICE_ID), ANONYMOUS.map(uninstall(null, 42L)));
        assertFalse(json(SIMPLIFIED.map(uninstall("user-1", Map.of("x", 1)))).contains("$device_id"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"anonymous", "NULL", "-1"})
    void aPlaceholderExternalIdIsInvalidInEveryModeEvenWithADevice(String user) {
        for (EventMapper mapper : new EventMapper[]{new EventMapper(MappingConfig.defaults()), SIMPLIFIED, ANONYMOUS}) {
            Invalid invalid = assertInstanceOf(Invalid.class, mapper.map(uninstall(user, "d-1")));
            assertEquals("external_user_id is a placeholder value Mixpanel rejects as distinct_id", invalid.reason());
        }
    }

    @Test
    void withoutTheAnonymousOptionADeviceAloneIsSkippedAsBefore() {
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_EXTERNAL_USER_ID), SIMPLIFIED.map(uninstall(null, "d-1")));
        assertEquals(new Skipped(UNINSTALL, SkipReason.NO_EXTERNAL_USER_ID), SIMPLIFIED.map(uninstall(" ", "d-1")));
    }

    @Test
    void identityPropertiesCountTowardsThePropertyLimit() throws Exception {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            extra.put(String.format("k%03d", i), i);
        }
        Map<String, Object> fields = new HashMap<>();
        fields.put("name", "Played Song");
        fields.put("app_id", "app-1");
        fields.put("device_id", "d-1");
        fields.put("properties", extra);
        JsonNode properties = Json.MAPPER.readTree(assertInstanceOf(Mapped.class,
                SIMPLIFIED.map(new CurrentsEvent(CUSTOM, "e-1", TIME, "user-1", fields))).json()).get("properties");
        assertEquals(EventMapper.MAX_PROPERTIES, properties.size());
        assertEquals("d-1", properties.get("$device_id").asText());
        // 4 fixed + 2 identity + app_id = 7, so 247 custom properties fit: k000..k246
        assertTrue(properties.has("[Custom event property] k246"));
        assertFalse(properties.has("[Custom event property] k247"));
    }

    @Test
    void aTableColumnMayNotWriteAnIdentityProperty() {
        for (String reserved : new String[]{"$user_id", "$device_id"}) {
            String row = "a.Type\tA\tyes\t-\tdevice_id>" + reserved + "\n";
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MappingTable.parse(new StringReader(row)));
            assertTrue(e.getMessage().contains("written by the mapper itself"), e.getMessage());
        }
    }

    @Test
    void warmUpMapsEverySelectedTypeInEveryMode() {
        int selected = MappingConfig.defaults().selectedTypes().size();
        assertEquals(selected, SIMPLIFIED.warmUp());
        assertEquals(selected, ANONYMOUS.warmUp());
    }
}
