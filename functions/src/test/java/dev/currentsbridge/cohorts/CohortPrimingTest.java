package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.cohorts.port.KeyStore;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.cohorts.port.PostbackLog;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.time.Sleeper;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SnapStart priming ({@code beforeCheckpoint}) must warm code paths without reading or writing the table or
 * calling Braze: anything done then would be frozen into the snapshot, or would happen at deploy time.
 */
class CohortPrimingTest {

    private final List<String> calls = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private <T> T recording(Class<T> port) {
        return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("hashCode") ? 0 : method.getName().equals("equals") ? false : "recording " + port;
            }
            if (method.getName().equals("warmUp")) {
                return null; // the port's own priming hook, made for this (BrazeHttpClient's is tested below)
            }
            calls.add(port.getSimpleName() + "." + method.getName());
            throw new AssertionError("priming called " + port.getSimpleName() + "." + method.getName());
        });
    }

    /** Every cohort port recording (and refusing) any call. */
    private CohortState recordingState() {
        return new CohortState(recording(CohortRegistry.class), recording(PostbackLog.class),
                recording(Membership.class), recording(KeyStore.class));
    }

    @Test
    void apiPrimingTouchesNoStore() {
        CohortApiHandler handler = new CohortApiHandler(recordingState(), Env.of(Map.of()), Clock.systemUTC());
        handler.beforeCheckpoint(null);
        assertEquals(List.of(), calls);
    }

    @Test
    void refreshPrimingTouchesNeitherStoreNorBraze() {
        CohortRefreshHandler handler = new CohortRefreshHandler(recordingState(), recording(BrazeUsers.class),
                Env.of(Map.of()), Clock.systemUTC(), Sleeper.REAL);
        handler.beforeCheckpoint(null);
        assertEquals(List.of(), calls);
    }

    @Test
    void theBrazeClientsPrimingSendsNothingAndReadsNoKey() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        dev.currentsbridge.common.secrets.SecretSource counting = id -> {
            reads.incrementAndGet();
            return "key";
        };
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            listening.setSoTimeout(1);
            new dev.currentsbridge.cohorts.adapter.BrazeHttpClient(dev.currentsbridge.common.http.SharedHttpClient.get(),
                    java.net.URI.create("http://127.0.0.1:" + listening.getLocalPort()), counting, "braze-key").warmUp();
            assertEquals(0, reads.get());
            org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, listening::accept,
                    "nothing connected to the Braze endpoint");
        }
    }

    @Test
    void theRecordingPortsWouldNoticeACall() {
        CohortState store = recordingState();
        try {
            store.registry().listCohorts();
        } catch (AssertionError expected) {
            // the point of this test
        }
        assertEquals(List.of("CohortRegistry.listCohorts"), calls);
    }
}
