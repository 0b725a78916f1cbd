package dev.currentsbridge.standins.local;


import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.model.KeyRecord;
import dev.currentsbridge.cohorts.port.CohortStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole cohort state in memory, with the same semantics as the DynamoDB store (functions, cohorts.adapter) (conditional writes,
 * expiry of dedupe records by {@code expiresAt}). Fast stand-in for tests; {@link FileCohortStore} adds a JSON
 * file so local mode survives restarts.
 */
public class InMemoryCohortStore implements CohortStore {

    /** Everything the store holds; public fields so {@link FileCohortStore} can write it as JSON. */
    public static final class State {
        public Map<String, CohortRow> cohorts = new TreeMap<>();
        public Map<String, TreeMap<String, Member>> members = new TreeMap<>();
        public Map<String, TreeMap<String, ChangeRow>> changes = new TreeMap<>();
        public Map<String, TreeMap<String, SessionRow>> sessions = new TreeMap<>();
        public Map<String, KeyRecord> keys = new TreeMap<>();
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

    protected State state;

    public InMemoryCohortStore() {
        this(new State());
    }

    protected InMemoryCohortStore(State state) {
        this.state = state;
    }

    /** Called after every mutation (while holding the lock). */
    protected void changed() {
    }

    // ---- cohorts ---------------------------------------------------------------------------------------------

    @Override
    public synchronized void upsertCohort(CohortUpsert u, SyncMode defaultMode) {
        CohortRow row = state.cohorts.get(u.cohortId());
        Cohort c = row == null
                ? new Cohort(u.cohortId(), null, null, null, defaultMode, CohortStatus.ACTIVE, u.at(), null, null, 0, 0,
                        0, null, null)
                : row.cohort();
        Cohort updated = new Cohort(c.id(), u.name() != null ? u.name() : c.name(),
                u.description() != null ? u.description() : c.description(),
                u.projectId() != null ? u.projectId() : c.projectId(), c.syncMode(), CohortStatus.ACTIVE, c.createdAt(),
                u.at(), c.lastRefreshAt(), c.memberCount(), c.pendingCount(), c.dataPoints(), c.appliedValue(),
                c.lastError());
        state.cohorts.put(u.cohortId(), row == null ? new CohortRow(updated, null, null) : row.withCohort(updated));
        changed();
    }

    @Override
    public synchronized Optional<Cohort> findCohort(String cohortId) {
        return Optional.ofNullable(state.cohorts.get(cohortId)).map(CohortRow::cohort);
    }

    @Override
    public synchronized List<Cohort> listCohorts() {
        return state.cohorts.values().stream().map(CohortRow::cohort).toList();
    }

    @Override
    public synchronized boolean setSyncMode(String cohortId, SyncMode mode) {
        CohortRow row = state.cohorts.get(cohortId);
        if (row == null) {
            return false;
        }
        Cohort c = row.cohort();
        CohortStatus status = c.status() == CohortStatus.APPLIED && mode == SyncMode.DYNAMIC ? CohortStatus.ACTIVE
                : c.status();
        state.cohorts.put(cohortId, row.withCohort(new Cohort(c.id(), c.name(), c.description(), c.projectId(), mode,
                status, c.createdAt(), c.lastPostbackAt(), c.lastRefreshAt(), c.memberCount(), c.pendingCount(),
                c.dataPoints(), c.appliedValue(), c.lastError())));
        changed();
        return true;
    }

    @Override
    public synchronized void recordRefresh(String cohortId, RefreshOutcome o) {
        CohortRow row = state.cohorts.get(cohortId);
        if (row == null) {
            return;
        }
        Cohort c = row.cohort();
        // A postback that arrived during the run reactivated the cohort: the refresh must not mark it applied/stale.
        CohortStatus status = o.status() != CohortStatus.ACTIVE && c.lastPostbackAt() != null
                && c.lastPostbackAt().isAfter(o.refreshedAt()) ? CohortStatus.ACTIVE : o.status();
        state.cohorts.put(cohortId, row.withCohort(new Cohort(c.id(), c.name(), c.description(), c.projectId(),
                c.syncMode(), status, c.createdAt(), c.lastPostbackAt(), o.refreshedAt(), o.memberCount(),
                o.pendingCount(), c.dataPoints() + o.addDataPoints(), o.appliedValue(), o.lastError())));
        changed();
    }

    @Override
    public synchronized boolean acquireLease(String cohortId, Instant now, Instant until) {
        CohortRow row = state.cohorts.get(cohortId);
        if (row == null || (row.leaseUntil() != null && row.leaseUntil().isAfter(now))) {
            return false;
        }
        state.cohorts.put(cohortId, new CohortRow(row.cohort(), until, row.foldedThrough()));
        changed();
        return true;
    }

    @Override
    public synchronized void releaseLease(String cohortId) {
        CohortRow row = state.cohorts.get(cohortId);
        if (row != null) {
            state.cohorts.put(cohortId, new CohortRow(row.cohort(), null, row.foldedThrough()));
            changed();
        }
    }

    @Override
    public synchronized Optional<Instant> foldedThrough(String cohortId) {
        return Optional.ofNullable(state.cohorts.get(cohortId)).map(CohortRow::foldedThrough);
    }

    @Override
    public synchronized void setFoldedThrough(String cohortId, Instant through) {
        CohortRow row = state.cohorts.get(cohortId);
        if (row != null) {
            state.cohorts.put(cohortId, new CohortRow(row.cohort(), row.leaseUntil(), through));
            changed();
        }
    }

    // ---- changes and sessions ---------------------------------------------------------------------------------

    @Override
    public synchronized boolean recordChange(ChangeBatch change, Instant now) {
        var byKey = state.changes.computeIfAbsent(change.cohortId(), k -> new TreeMap<>());
        ChangeRow existing = byKey.get(change.key());
        if (existing != null && existing.batch().expiresAt().isAfter(now)) {
            return false;
        }
        byKey.put(change.key(), new ChangeRow(change, false));
        changed();
        return true;
    }

    @Override
    public synchronized List<ChangeBatch> unfoldedChanges(String cohortId) {
        return state.changes.getOrDefault(cohortId, new TreeMap<>()).values().stream()
                .filter(r -> !r.folded()).map(ChangeRow::batch).toList();
    }

    @Override
    public synchronized void markFolded(String cohortId, Collection<String> changeKeys) {
        var byKey = state.changes.getOrDefault(cohortId, new TreeMap<>());
        for (String k : changeKeys) {
            byKey.computeIfPresent(k, (key, r) -> new ChangeRow(r.batch(), true));
        }
        changed();
    }

    @Override
    public synchronized PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now) {
        var bySession = state.sessions.computeIfAbsent(page.cohortId(), k -> new TreeMap<>());
        SessionRow row = bySession.get(page.sessionId());
        if (row == null || !row.session().expiresAt().isAfter(now)) {
            row = new SessionRow(new SyncSession(page.cohortId(), page.sessionId(), page.totalPages(), now,
                    SyncSession.Status.OPEN, sessionExpiresAt), new TreeMap<>());
            bySession.put(page.sessionId(), row);
        }
        if (row.session().totalPages() != page.totalPages()) {
            return PageReceipt.CONFLICT;
        }
        if (row.session().status() != SyncSession.Status.OPEN) {
            return PageReceipt.CLOSED;
        }
        SessionPage existing = row.pages().get(page.pageIndex());
        if (existing != null && existing.expiresAt().isAfter(now)) {
            return PageReceipt.DUPLICATE;
        }
        row.pages().put(page.pageIndex(), page);
        changed();
        return PageReceipt.STORED;
    }

    @Override
    public synchronized List<SyncSession> openSessions(String cohortId) {
        return state.sessions.getOrDefault(cohortId, new TreeMap<>()).values().stream().map(SessionRow::session)
                .filter(s -> s.status() == SyncSession.Status.OPEN).toList();
    }

    @Override
    public synchronized List<SessionPage> sessionPages(String cohortId, String sessionId) {
        SessionRow row = state.sessions.getOrDefault(cohortId, new TreeMap<>()).get(sessionId);
        return row == null ? List.of() : List.copyOf(row.pages().values());
    }

    @Override
    public synchronized void closeSession(String cohortId, String sessionId, SyncSession.Status status) {
        var bySession = state.sessions.getOrDefault(cohortId, new TreeMap<>());
        SessionRow row = bySession.get(sessionId);
        if (row != null) {
            SyncSession s = row.session();
            bySession.put(sessionId, new SessionRow(new SyncSession(s.cohortId(), s.sessionId(), s.totalPages(),
                    s.createdAt(), status, s.expiresAt()), row.pages()));
            changed();
        }
    }

    // ---- members ----------------------------------------------------------------------------------------------

    @Override
    public synchronized List<Member> allMembers(String cohortId) {
        return List.copyOf(state.members.getOrDefault(cohortId, new TreeMap<>()).values());
    }

    @Override
    public synchronized MemberPage members(String cohortId, String afterKey, int limit) {
        TreeMap<String, Member> all = state.members.getOrDefault(cohortId, new TreeMap<>());
        var tail = afterKey == null ? all : all.tailMap(afterKey, false);
        List<Member> page = new ArrayList<>(limit);
        for (Member m : tail.values()) {
            if (page.size() == limit) {
                break;
            }
            page.add(m);
        }
        String next = page.size() == limit && all.lastKey() != null
                && !page.get(page.size() - 1).ref().storageKey().equals(all.lastKey())
                ? page.get(page.size() - 1).ref().storageKey() : null;
        return new MemberPage(page, next);
    }

    @Override
    public synchronized void writeMembers(String cohortId, Collection<Member> members) {
        TreeMap<String, Member> all = state.members.computeIfAbsent(cohortId, k -> new TreeMap<>());
        for (Member m : members) {
            if (m.removable()) {
                all.remove(m.ref().storageKey());
            } else {
                all.put(m.ref().storageKey(), m);
            }
        }
        changed();
    }

    // ---- keys -------------------------------------------------------------------------------------------------

    @Override
    public synchronized boolean createKey(KeyRecord record) {
        if (state.keys.containsKey(record.keyId())) {
            return false;
        }
        state.keys.put(record.keyId(), record);
        changed();
        return true;
    }

    @Override
    public synchronized Optional<KeyRecord> findKey(String keyId) {
        return Optional.ofNullable(state.keys.get(keyId));
    }

    @Override
    public synchronized List<KeyRecord> listKeys() {
        return state.keys.values().stream().sorted(Comparator.comparing(KeyRecord::createdAt)).toList();
    }

    @Override
    public synchronized boolean revokeKey(String keyId, Instant at) {
        KeyRecord r = state.keys.get(keyId);
        if (r == null) {
            return false;
        }
        if (r.revokedAt() == null) {
            state.keys.put(keyId, new KeyRecord(r.keyId(), r.label(), r.sha256Hex(), r.createdAt(), r.lastUsedAt(), at));
            changed();
        }
        return true;
    }

    @Override
    public synchronized void touchKey(String keyId, Instant at) {
        KeyRecord r = state.keys.get(keyId);
        if (r != null) {
            state.keys.put(keyId, new KeyRecord(r.keyId(), r.label(), r.sha256Hex(), r.createdAt(), at, r.revokedAt()));
            changed();
        }
    }
}
