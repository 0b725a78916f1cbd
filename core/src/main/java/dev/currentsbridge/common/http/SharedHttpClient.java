package dev.currentsbridge.common.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one HTTP client of a function container. Mixpanel, Braze and (through {@code JdkSdkHttpClient})
 * every AWS SDK client share it, so a container opens one connection pool, loads one set of HTTP classes
 * and SnapStart priming warms all of them at once.
 *
 * <p>HTTP/1.1 on purpose: Mixpanel and Braze speak it, the AWS endpoints we call speak it, and it avoids
 * an h2c upgrade dance with loopback fakes and stand-ins.
 */
public final class SharedHttpClient {

    /** Connect timeout: short, because a Lambda would rather retry than wait on a dead host. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private static volatile HttpClient instance;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private SharedHttpClient() {
    }

    public static HttpClient get() {
        HttpClient c = instance;
        if (c == null) {
            synchronized (SharedHttpClient.class) {
                c = instance;
                if (c == null) {
                    c = newClient();
                    instance = c;
                }
            }
        }
        return c;
    }

    /**
     * Starts building the shared client on a background thread and returns at once. Building it is the most
     * expensive step of a cold start (~0.3 s here: the default {@code SSLContext} loads the JDK trust store, then
     * the client starts its selector), and nothing before the first request needs it, so a handler's constructor
     * calls this first and builds its SDK clients meanwhile ({@link #get} waits for the result). Idempotent.
     */
    public static void startBuilding() {
        if (instance == null && STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(SharedHttpClient::get, "http-client-init");
            t.setDaemon(true);
            t.start();
        }
    }

    /** A fresh client, for tests and the command line that want their own pool. */
    public static HttpClient newClient() {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }
}
