package dev.currentsbridge.common.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitTypeTest {

    private static InitType of(String value) {
        return InitType.of(value == null ? Env.of(Map.of()) : Env.of(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", value)));
    }

    @Test
    void onlyAnOnDemandInitPrefetches() {
        assertEquals(InitType.ON_DEMAND, of("on-demand"));
        assertTrue(of("on-demand").prefetches());
        assertEquals(InitType.SNAP_START, of("snap-start"));
        assertFalse(of("snap-start").prefetches(), "nothing read may end up in a snapshot");
        assertEquals(InitType.PROVISIONED_CONCURRENCY, of("provisioned-concurrency"));
        assertFalse(of("provisioned-concurrency").prefetches(), "a request in flight could be frozen for hours");
        assertEquals(InitType.OTHER, of(null));
        assertFalse(of(null).prefetches(), "tests and local mode read on first use");
        assertEquals(InitType.OTHER, of("something-new"));
    }
}
