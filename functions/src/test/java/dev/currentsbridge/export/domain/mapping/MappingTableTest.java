package dev.currentsbridge.export.domain.mapping;

import dev.currentsbridge.standins.fixtures.CurrentsSamples;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappingTableTest {

    private final MappingTable table = MappingTable.standard();

    @Test
    void loadedOnce() {
        assertSame(table, MappingTable.standard());
    }

    @Test
    void everyTypeOfTheSpecHasOneRow() {
        assertEquals(CurrentsSamples.storageTypes(), Set.copyOf(table.allTypes()));
        assertEquals(102, table.rows().size());
    }

    @Test
    void seedNamesOfSomeRows() {
        assertEquals("Push Notification iOS Foreground Open", table.find("users.messages.pushnotification.IosForeground").mixpanelName());
        assertEquals("SMS Inbound Receipt", table.find("users.messages.sms.InboundReceive").mixpanelName());
        assertEquals("Campaign Control Group Enrollment", table.find("users.campaigns.EnrollInControl").mixpanelName());
        assertEquals("In-app message Click", table.find("users.messages.inappmessage.Click").mixpanelName());
        assertEquals("[Braze Custom Event]", table.find("users.behaviors.CustomEvent").mixpanelName());
        assertEquals(ExtraProperties.CUSTOM_EVENT, table.find("users.behaviors.CustomEvent").extra());
        assertEquals(ExtraProperties.PURCHASE, table.find("users.behaviors.Purchase").extra());
    }

    @Test
    void seedPropertiesInSeedOrder() {
        assertEquals(List.of("button_id", "campaign_id", "campaign_name", "message_variation_id", "canvas_id", "canvas_name",
                        "canvas_variation_id", "canvas_step_id", "send_id", "app_id", "platform", "os_version", "device_model"),
                properties("users.messages.inappmessage.Click"));
        assertEquals(List.of("canvas_id", "canvas_name", "canvas_variation_id", "in_control_group"), properties("users.canvas.Entry"));
        assertEquals(new PropertyRule("content_card_id", "card_id"), table.find("users.messages.contentcard.Dismiss").properties().getFirst());
        assertEquals(new PropertyRule("card_id", "card_id"), table.find("users.messages.newsfeedcard.Click").properties().getFirst());
        assertEquals(new PropertyRule("product_id", "productId"), table.find("users.behaviors.Purchase").properties().getFirst());
    }

    @Test
    void tableBRowsAreNotDefaultAndUseTheDocumentedNameOrTheType() {
        TypeMapping whatsapp = table.find("users.messages.whatsapp.Click");
        assertEquals("WhatsApp Tracked Link Click", whatsapp.mixpanelName());
        assertEquals(false, whatsapp.selectedByDefault());
        assertEquals("users.messages.rcs.Read", table.find("users.messages.rcs.Read").mixpanelName());
        Set<String> notDefault = table.rows().stream().filter(r -> !r.selectedByDefault())
                .map(TypeMapping::currentsType).collect(Collectors.toSet());
        assertEquals(61, notDefault.size());
    }

    @Test
    void tableBRowsCarryEveryStorageFieldButTheCommonOnes() {
        for (TypeMapping row : table.rows()) {
            if (row.selectedByDefault()) {
                continue;
            }
            List<String> expected = CurrentsSamples.storageFields(row.currentsType()).stream().map(f -> f[0])
                    .filter(f -> !Set.of("id", "time", "external_user_id").contains(f)).toList();
            assertEquals(expected, properties(row.currentsType()), row.currentsType());
        }
    }

    @Test
    void malformedTablesFailWithTheLineNumber() {
        assertThrows(IllegalStateException.class, () -> MappingTable.parse(new StringReader("# c\na\tb\tyes\t-\n")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MappingTable.parse(new StringReader("# c\n\na\tA\tmaybe\t-\tx\n")));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> MappingTable.parse(new StringReader("a\tA\tyes\t-\tx\na\tB\tno\t-\ty\n")));
        assertThrows(IllegalStateException.class, () -> MappingTable.parse(new StringReader("a\tA\tyes\tweird\tx\n")));
        assertThrows(IllegalStateException.class, () -> MappingTable.parse(new StringReader("a\tA\tyes\t-\tx,time\n")));
        assertThrows(IllegalStateException.class, () -> MappingTable.parse(new StringReader("a\tA\tyes\t-\tx,y>x\n")));
    }

    private List<String> properties(String type) {
        return table.find(type).properties().stream().map(PropertyRule::property).toList();
    }
}
