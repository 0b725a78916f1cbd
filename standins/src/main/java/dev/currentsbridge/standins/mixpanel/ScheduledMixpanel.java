package dev.currentsbridge.standins.mixpanel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.standins.faults.FaultSchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Mixpanel emulator as an in-process {@link MixpanelImport} (no HTTP), for thousands of export schedules, with
 * per-request faults from a {@link FaultSchedule}: 429 (with Retry-After), 500/502/503, timeouts and connection
 * resets before or after Mixpanel imported the batch, a 401 in the middle of a run (rotated credentials: the
 * client's re-read fixes it), the credentials secret unreadable, 413 for a multi-event request. What is not a fault
 * goes through the emulator's own {@code /import} decisions (same rules and bodies as over HTTP); on top of them,
 * events whose {@code $insert_id} is {@linkplain #invalid invalid} are refused in {@code failed_records} every time.
 */
public final class ScheduledMixpanel implements MixpanelImport {

    public enum Fault {
        NONE, THROTTLE, ERROR_500, ERROR_502, ERROR_503, SLOW_BEFORE, SLOW_AFTER, RESET_BEFORE, RESET_AFTER,
        UNAUTHORIZED, CREDENTIALS_UNAVAILABLE, TOO_LARGE
    }

    private static final String USER = "in-process";

    private final FaultSchedule<Fault> schedule;
    private final Consumer<Duration> timePasses;
    private final int invalidEvery;
    private final MixpanelFake emulator = MixpanelFake.detached().acceptUsername(USER);
    private int requests;
    private int reloads;

    /**
     * @param invalidEvery one event in about this many is refused by Mixpanel's validation (0: none)
     * @param timePasses   advances the test clock by a timed-out request's timeout
     */
    public ScheduledMixpanel(FaultSchedule<Fault> schedule, int invalidEvery, Consumer<Duration> timePasses) {
        this.schedule = schedule;
        this.invalidEvery = invalidEvery;
        this.timePasses = timePasses;
        emulator.refuseInsertIds(this::invalid);
    }

    public FaultSchedule<Fault> schedule() {
        return schedule;
    }

    /** Mixpanel refuses this event on every request (deterministic, like a real validation error). */
    public boolean invalid(String insertId) {
        return invalidEvery > 0 && Math.floorMod(insertId.hashCode(), invalidEvery) == 0;
    }

    /** Every imported copy, duplicates included. */
    public List<JsonNode> imported() {
        return emulator.imported();
    }

    public synchronized int requests() {
        return requests;
    }

    public synchronized int reloads() {
        return reloads;
    }

    @Override
    public Response send(List<byte[]> events, Duration timeout) throws IOException {
        Fault f;
        synchronized (this) {
            requests++;
            f = schedule.next();
        }
        return switch (f) {
            case THROTTLE -> process(events, MixpanelFake.Fault.rateLimited(schedule.nextInt(6)));
            case ERROR_500 -> process(events, MixpanelFake.Fault.status(500));
            case ERROR_502 -> process(events, MixpanelFake.Fault.status(502));
            case ERROR_503 -> process(events, MixpanelFake.Fault.status(503));
            case SLOW_BEFORE -> {
                timePasses.accept(timeout);
                throw new HttpTimeoutException("request timed out");
            }
            case SLOW_AFTER -> {
                process(events, null);
                timePasses.accept(timeout);
                throw new HttpTimeoutException("request timed out");
            }
            case RESET_BEFORE -> throw new IOException("Connection reset");
            case RESET_AFTER -> {
                process(events, null);
                throw new IOException("Connection reset: response body cut short");
            }
            case UNAUTHORIZED -> process(events, MixpanelFake.Fault.status(401));
            case CREDENTIALS_UNAVAILABLE -> throw new CredentialsException(
                    "cannot read secret mixpanel: ThrottlingException", true, null);
            case TOO_LARGE -> process(events, events.size() > 1 ? MixpanelFake.Fault.status(413) : null);
            case NONE -> process(events, null);
        };
    }

    private Response process(List<byte[]> events, MixpanelFake.Fault fault) throws IOException {
        ByteArrayOutputStream array = new ByteArrayOutputStream();
        array.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                array.write(',');
            }
            array.write(events.get(i));
        }
        array.write(']');
        byte[] body = array.toByteArray();
        ImportEndpoint.Answer a = emulator.endpoint().process(
                new ImportEndpoint.Call(USER, "", null, true, false, body.length, body), fault);
        return new Response(a.status(), a.body(), Optional.ofNullable(a.retryAfterSeconds()).map(Duration::ofSeconds));
    }

    @Override
    public synchronized void reloadCredentials() {
        reloads++;
    }
}
