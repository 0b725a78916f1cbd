package dev.currentsbridge.standins.faults;

import dev.currentsbridge.export.port.RejectedEvent;
import dev.currentsbridge.export.port.RejectSink;
import java.util.ArrayList;
import java.util.List;

/** The rejects queue in process, failing per send as its schedule says: all refused (throws) or some refused. */
public final class FaultyRejectSink implements RejectSink {

    public enum Fault { NONE, QUEUE_DOWN, SOME_REFUSED }

    private final FaultSchedule<Fault> schedule;
    private final List<RejectedEvent> stored = new ArrayList<>();

    public FaultyRejectSink(FaultSchedule<Fault> schedule) {
        this.schedule = schedule;
    }

    public FaultSchedule<Fault> schedule() {
        return schedule;
    }

    public synchronized List<RejectedEvent> stored() {
        return List.copyOf(stored);
    }

    @Override
    public synchronized List<RejectedEvent> send(List<RejectedEvent> rejects) {
        switch (schedule.next()) {
            case QUEUE_DOWN -> throw new IllegalStateException("SqsException: Service Unavailable (injected)");
            case SOME_REFUSED -> {
                List<RejectedEvent> refused = new ArrayList<>();
                for (RejectedEvent r : rejects) {
                    if (schedule.nextInt(2) == 0) {
                        refused.add(r);
                    } else {
                        stored.add(r);
                    }
                }
                return refused;
            }
            default -> {
                stored.addAll(rejects);
                return List.of();
            }
        }
    }
}
