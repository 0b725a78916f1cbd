package dev.currentsbridge.standins.mixpanel;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * Mixpanel's per-project rate limit in front of any {@code /import} handler: a {@link TokenBucket} of events per
 * second per project; a request whose events do not all fit is answered 429 with Mixpanel's documented body (and
 * no {@code Retry-After}: none is documented for {@code /import}) and never reaches the delegate. Everything
 * else (other paths, methods) passes straight through. The project is the {@code project_id} query parameter
 * (service accounts), else the Basic user name (API secret or project token).
 *
 * <p>Real Mixpanel limits 2 GB of uncompressed JSON per project per <em>rolling minute</em> (~30k events/s);
 * this bucket counts events, so a benchmark can set the limit below what its senders can push on the machine it
 * runs on. {@link #rollingMinute} models the documented semantics: a bucket holding one minute of quota, so quota
 * left unused during a few seconds of backoff is still there for the rest of the minute (as under a rolling
 * minute), and starting empty, so that from the start no more than the quota x the elapsed time is ever admitted
 * (no initial burst). A bucket of a few seconds ({@code burstSeconds} 1) is a harsher stress variant: quota unused
 * for more than that is gone.
 */
public final class ProjectQuota implements HttpHandler {

    public static final String BODY_429 = "{\"code\":429,\"error\":\"Project exceeded rate limits. Please retry the"
            + " request with exponential backoff.\",\"status\":\"Too Many Requests\"}";
    /** Mixpanel's largest batch: a bucket smaller than this would refuse a full batch forever. */
    public static final int MAX_BATCH_EVENTS = 2000;

    /** Seconds of quota the {@link #rollingMinute} bucket holds. */
    public static final double ROLLING_MINUTE_SECONDS = 60;

    private final double eventsPerSecond;
    private final double burstEvents;
    private final double initialEvents;
    private final LongSupplier nanoTime;
    private final HttpHandler delegate;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong admittedRequests = new AtomicLong();
    private final AtomicLong admittedEvents = new AtomicLong();
    private final AtomicLong throttledRequests = new AtomicLong();
    private final AtomicLong throttledEvents = new AtomicLong();

    /**
     * @param eventsPerSecond the quota of each project
     * @param burstSeconds    how many seconds of quota a project may save up (raised to one full batch if smaller)
     * @param nanoTime        {@code System::nanoTime}, or a virtual clock in tests
     */
    public ProjectQuota(double eventsPerSecond, double burstSeconds, LongSupplier nanoTime, HttpHandler delegate) {
        this(eventsPerSecond, burstSeconds, true, nanoTime, delegate);
    }

    /**
     * @param startFull true: each project's bucket starts with its whole burst; false: empty (no initial burst)
     */
    public ProjectQuota(double eventsPerSecond, double burstSeconds, boolean startFull, LongSupplier nanoTime,
                        HttpHandler delegate) {
        this.eventsPerSecond = eventsPerSecond;
        this.burstEvents = Math.max(eventsPerSecond * burstSeconds, MAX_BATCH_EVENTS);
        this.initialEvents = startFull ? burstEvents : 0;
        this.nanoTime = nanoTime;
        this.delegate = delegate;
    }

    /** Mixpanel's documented limit, per rolling minute: one minute of quota held, starting empty (class comment). */
    public static ProjectQuota rollingMinute(double eventsPerSecond, LongSupplier nanoTime, HttpHandler delegate) {
        return new ProjectQuota(eventsPerSecond, ROLLING_MINUTE_SECONDS, false, nanoTime, delegate);
    }

    public record Counts(long admittedRequests, long admittedEvents, long throttledRequests, long throttledEvents) {
    }

    public Counts counts() {
        return new Counts(admittedRequests.get(), admittedEvents.get(), throttledRequests.get(), throttledEvents.get());
    }

    public double eventsPerSecond() {
        return eventsPerSecond;
    }

    public double burstEvents() {
        return burstEvents;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST") || !ex.getRequestURI().getPath().endsWith("/import")) {
            delegate.handle(ex);
            return;
        }
        byte[] raw = ex.getRequestBody().readAllBytes();
        long events = countEvents(raw, "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding")));
        TokenBucket bucket = buckets.computeIfAbsent(project(ex),
                p -> new TokenBucket(eventsPerSecond, burstEvents, initialEvents, nanoTime));
        if (!bucket.tryTake(events)) {
            throttledRequests.incrementAndGet();
            throttledEvents.addAndGet(events);
            byte[] body = BODY_429.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(429, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        admittedRequests.incrementAndGet();
        admittedEvents.addAndGet(events);
        ex.setStreams(new ByteArrayInputStream(raw), null);
        delegate.handle(ex);
    }

    private static long countEvents(byte[] raw, boolean gzip) throws IOException {
        ImportBodyScanner scanner = new ImportBodyScanner();
        try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(raw), 64 * 1024)
                : new ByteArrayInputStream(raw)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                scanner.scan(buffer, n);
            }
        }
        return scanner.events();
    }

    /** {@code project_id} from the query, else the Basic user name, else one shared anonymous project. */
    static String project(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        if (query != null) {
            for (String part : query.split("&")) {
                if (part.startsWith("project_id=")) {
                    return "project:" + URLDecoder.decode(part.substring(11), StandardCharsets.UTF_8);
                }
            }
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return "user:" + (colon < 0 ? decoded : decoded.substring(0, colon));
            } catch (IllegalArgumentException e) {
                return "anonymous";
            }
        }
        return "anonymous";
    }
}
