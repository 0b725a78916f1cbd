package dev.currentsbridge.export.domain.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.currentsbridge.export.domain.delivery.ImportVerdict.FailedRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportVerdictTest {

    @Test
    void statusesMapToWhatMixpanelDocuments() {
        assertInstanceOf(ImportVerdict.Imported.class, ImportVerdict.of(200, "{\"code\":200}"));
        assertInstanceOf(ImportVerdict.Unauthorized.class, ImportVerdict.of(401, ""));
        assertInstanceOf(ImportVerdict.Misconfigured.class, ImportVerdict.of(403, ""));
        assertInstanceOf(ImportVerdict.Misconfigured.class, ImportVerdict.of(404, ""));
        assertInstanceOf(ImportVerdict.TooLarge.class, ImportVerdict.of(413, ""));
        assertEquals(new ImportVerdict.Transient("mixpanel_429"), ImportVerdict.of(429, ""));
        assertEquals(new ImportVerdict.Transient("mixpanel_502"), ImportVerdict.of(502, "<html>"));
        assertInstanceOf(ImportVerdict.TooLarge.class,
                ImportVerdict.of(400, "{\"error\":\"Request body too large\",\"code\":400}"));
        assertEquals(new ImportVerdict.Refused("invalid json"), ImportVerdict.of(400, "{\"error\":\"invalid json\"}"));
        assertInstanceOf(ImportVerdict.Refused.class, ImportVerdict.of(400, "not json"));
    }

    @Test
    void failedRecordsAreReadWithEitherIdKey() {
        String body = "{\"code\":400,\"error\":\"some data points in the request failed validation\","
                + "\"num_records_imported\":1,\"failed_records\":["
                + "{\"index\":0,\"insert_id\":\"a\",\"field\":\"properties.time\",\"message\":\"too old\"},"
                + "{\"index\":2,\"$insert_id\":\"c\",\"field\":\"properties.distinct_id\",\"message\":\"bad\"},"
                + "{\"insert_id\":\"d\",\"field\":\"event\",\"message\":\"no index\"}]}";

        ImportVerdict.Partial p = assertInstanceOf(ImportVerdict.Partial.class, ImportVerdict.of(400, body));

        assertEquals(List.of(new FailedRecord(0, "a", "properties.time", "too old"),
                new FailedRecord(2, "c", "properties.distinct_id", "bad"),
                new FailedRecord(-1, "d", "event", "no index")), p.failures());
    }
}
