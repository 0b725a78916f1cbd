package dev.currentsbridge.export.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code /engage}'s answers mean for a batch of profile updates. */
class EngageVerdictTest {

    @Test
    void oneOrAStrictStatusOneIsApplied() {
        assertInstanceOf(ImportVerdict.Imported.class, EngageVerdict.of(200, "1"));
        assertInstanceOf(ImportVerdict.Imported.class, EngageVerdict.of(200, " 1\n"));
        assertInstanceOf(ImportVerdict.Imported.class, EngageVerdict.of(200, "{\"error\":null,\"status\":1}"));
        assertInstanceOf(ImportVerdict.Imported.class, EngageVerdict.of(200, ""));
    }

    @Test
    void zeroOrAStrictStatusZeroRefusesTheWholeBatch() {
        assertInstanceOf(ImportVerdict.Refused.class, EngageVerdict.of(200, "0"));
        ImportVerdict.Refused r = assertInstanceOf(ImportVerdict.Refused.class,
                EngageVerdict.of(200, "{\"error\":\"bad things\",\"status\":0}"));
        assertEquals("bad things", r.error());
    }

    @Test
    void failedRecordsAreReadByIndexFromA200OrA400() {
        String body = "{\"error\":\"x\",\"status\":0,\"failed_records\":[{\"index\":2,\"field\":\"$set\","
                + "\"message\":\"m\"}]}";
        for (int status : new int[] {200, 400}) {
            ImportVerdict.Partial p = assertInstanceOf(ImportVerdict.Partial.class, EngageVerdict.of(status, body));
            assertEquals(List.of(new ImportVerdict.FailedRecord(2, null, "$set", "m")), p.failures());
        }
    }

    @Test
    void otherStatusesReadAsOnImport() {
        assertInstanceOf(ImportVerdict.Unauthorized.class, EngageVerdict.of(401, "{\"error\":\"x\",\"status\":\"error\"}"));
        assertEquals(new ImportVerdict.Misconfigured("mixpanel_403"), EngageVerdict.of(403, "{}"));
        assertInstanceOf(ImportVerdict.TooLarge.class, EngageVerdict.of(413, ""));
        assertEquals(new ImportVerdict.Transient("mixpanel_429"), EngageVerdict.of(429, ""));
        assertEquals(new ImportVerdict.Transient("mixpanel_502"), EngageVerdict.of(502, "<html>"));
        assertInstanceOf(ImportVerdict.Refused.class, EngageVerdict.of(400, "{\"error\":\"no\",\"status\":0}"));
    }
}
