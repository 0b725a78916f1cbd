package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.PostbackLog;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole cohort state in memory, shared by the four in-memory ports ({@link InMemoryCohortRegistry},
 * {@link InMemoryPostbackLog}, {@link InMemoryMembership}, {@link InMemoryKeyStore}). They lock this object for
 * every operation and call {@link #changed()} after every mutation (still holding the lock), which
 * {@link FileCohortStore} uses to write the state to its file.
 */
public final class InMemoryCohortModel {

    /** Everything the model holds; public fields so {@link FileCohortStore} can write it as JSON. */
    public static final class State {
        public Map<String, CohortRow> cohorts = new TreeMap<>();
        public Map<String, TreeMap<String, Member>> members = new TreeMap<>();
        public Map<String, TreeMap<String, ChangeRow>> changes = new TreeMap<>();
        public Map<String, TreeMap<String, SessionRow>> sessions = new TreeMap<>();
        public Map<String, KeyRecord> keys = new TreeMap<>();
        /** Members skipped for want of a usable id, by cohort id. */
        public Map<String, Long> skippedMembers = new TreeMap<>();
        /** Each cohort's latest postback (fingerprint and number), by cohort id. */
        public Map<String, PostbackLog.Sequence> sequences = new TreeMap<>();
    }

    public record CohortRow(Cohort cohort, Instant leaseUntil, Instant foldedThrough) {
        CohortRow withCohort(Cohort c) {
            return new CohortRow(c, leaseUntil, foldedThrough);
        }
    }

    public record ChangeRow(ChangeBatch batch, boolean folded) {
    }

    public record SessionRow(SyncSession session, TreeMap<Integer, SessionPage> pages) {
    }

    private final State state;
    private final Runnable onChange;

    public InMemoryCohortModel() {
        this(new State(), () -> { });
    }

    /** {@code onChange} runs after every mutation, under this model's lock. */
    public InMemoryCohortModel(State state, Runnable onChange) {
        this.state = state;
        this.onChange = onChange;
    }

    State state() {
        return state;
    }

    void changed() {
        onChange.run();
    }
}
