package dev.currentsbridge.bench;

import dev.currentsbridge.bench.jmh.JmhMain;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every JMH benchmark runs (no fork, 100 ms + 100 ms) and yields a positive score and, for the real work, a ratio. */
class JmhSmokeTest {

    @Test
    void everyBenchmarkProducesNumbers() throws Exception {
        List<JmhMain.Row> rows = JmhMain.run(JmhMain.ALL, true, 0);
        System.out.println(JmhMain.table(rows));
        // mapping: 2 methods; Avro: 2 methods x 2 types x 1 codec; gzip: 2 levels
        assertEquals(8, rows.size(), rows.toString());
        for (JmhMain.Row row : rows) {
            assertTrue(row.eventsPerSecond() > 0, row.toString());
            if (!row.benchmark().contains(".bound") && !row.benchmark().startsWith("GzipBenchmark")) {
                assertNotNull(row.ratioToBound(), row.toString());
                assertTrue(row.ratioToBound() > 0, row.toString());
            }
        }
    }
}
