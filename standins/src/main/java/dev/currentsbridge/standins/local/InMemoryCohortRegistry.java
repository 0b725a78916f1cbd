package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.CohortStatus;
import dev.currentsbridge.cohorts.model.CohortUpsert;
import dev.currentsbridge.cohorts.model.PostbackCounts;
import dev.currentsbridge.cohorts.model.SyncMode;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.CohortRegistry;
import dev.currentsbridge.standins.local.InMemoryCohortModel.CohortRow;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The cohort records of an {@link InMemoryCohortModel}, with the DynamoDB adapter's semantics. */
public class InMemoryCohortRegistry implements CohortRegistry {

    private final InMemoryCohortModel model;

    public InMemoryCohortRegistry(InMemoryCohortModel model) {
        this.model = model;
    }

    @Override
    public void upsertCohort(CohortUpsert u, SyncMode defaultMode) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(u.cohortId());
            Cohort c = row == null
                    ? new Cohort(u.cohortId(), null, null, null, defaultMode, CohortStatus.ACTIVE, u.at(), null, null, 0, 0,
                            0, null, null, 0, 0, 0, false)
                    : row.cohort();
            Cohort updated = new Cohort(c.id(), u.name() != null ? u.name() : c.name(),
                    u.description() != null ? u.description() : c.description(),
                    u.projectId() != null ? u.projectId() : c.projectId(), c.syncMode(), CohortStatus.ACTIVE, c.createdAt(),
                    u.at(), c.lastRefreshAt(), c.memberCount(), c.pendingCount(), c.dataPoints(), c.appliedValue(),
                    c.lastError(), c.unmatchedCount(), c.overArrayCap(), c.heldRemovals(), c.removalsConfirmed());
            model.state().cohorts.put(u.cohortId(), row == null ? new CohortRow(updated, null, null) : row.withCohort(updated));
            model.changed();
        }
    }

    @Override
    public Optional<Cohort> findCohort(String cohortId) {
        synchronized (model) {
            return Optional.ofNullable(model.state().cohorts.get(cohortId)).map(CohortRow::cohort);
        }
    }

    @Override
    public List<Cohort> listCohorts() {
        synchronized (model) {
            return model.state().cohorts.values().stream().map(CohortRow::cohort).toList();
        }
    }

    @Override
    public boolean setSyncMode(String cohortId, SyncMode mode) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row == null) {
                return false;
            }
            Cohort c = row.cohort();
            CohortStatus status = c.status() == CohortStatus.APPLIED && mode == SyncMode.DYNAMIC ? CohortStatus.ACTIVE
                    : c.status();
            model.state().cohorts.put(cohortId, row.withCohort(new Cohort(c.id(), c.name(), c.description(), c.projectId(), mode,
                    status, c.createdAt(), c.lastPostbackAt(), c.lastRefreshAt(), c.memberCount(), c.pendingCount(),
                    c.dataPoints(), c.appliedValue(), c.lastError(), c.unmatchedCount(), c.overArrayCap(), c.heldRemovals(),
                    c.removalsConfirmed())));
            model.changed();
            return true;
        }
    }

    @Override
    public boolean confirmRemovals(String cohortId) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row == null) {
                return false;
            }
            Cohort c = row.cohort();
            model.state().cohorts.put(cohortId, row.withCohort(new Cohort(c.id(), c.name(), c.description(), c.projectId(),
                    c.syncMode(), c.status(), c.createdAt(), c.lastPostbackAt(), c.lastRefreshAt(), c.memberCount(),
                    c.pendingCount(), c.dataPoints(), c.appliedValue(), c.lastError(), c.unmatchedCount(),
                    c.overArrayCap(), c.heldRemovals(), true)));
            model.changed();
            return true;
        }
    }

    @Override
    public void recordRefresh(String cohortId, RefreshOutcome o) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row == null) {
                return;
            }
            Cohort c = row.cohort();
            // A postback that arrived during the run reactivated the cohort: the refresh must not mark it applied/stale.
            CohortStatus status = o.status() != CohortStatus.ACTIVE && c.lastPostbackAt() != null
                    && c.lastPostbackAt().isAfter(o.refreshedAt()) ? CohortStatus.ACTIVE : o.status();
            model.state().cohorts.put(cohortId, row.withCohort(new Cohort(c.id(), c.name(), c.description(), c.projectId(),
                    c.syncMode(), status, c.createdAt(), c.lastPostbackAt(), o.refreshedAt(), o.memberCount(),
                    o.pendingCount(), c.dataPoints() + o.addDataPoints(), o.appliedValue(), o.lastError(),
                    o.unmatchedCount(), o.overArrayCap(), o.heldRemovals(),
                    c.removalsConfirmed() && !o.confirmationUsed())));
            model.changed();
        }
    }

    @Override
    public void countSkippedMembers(String cohortId, long n) {
        if (n > 0) {
            synchronized (model) {
                model.state().skippedMembers.merge(cohortId, n, Long::sum);
                model.changed();
            }
        }
    }

    /** Counted from the records: in memory that is as cheap as keeping counts, and cannot drift. */
    @Override
    public PostbackCounts postbackCounts(String cohortId) {
        synchronized (model) {
            long queued = model.state().changes.getOrDefault(cohortId, new TreeMap<>()).values().stream()
                    .filter(r -> !r.folded()).count();
            long open = model.state().sessions.getOrDefault(cohortId, new TreeMap<>()).values().stream()
                    .filter(r -> r.session().status() == SyncSession.Status.OPEN).count();
            return new PostbackCounts(queued, open, model.state().skippedMembers.getOrDefault(cohortId, 0L));
        }
    }

    @Override
    public Map<String, PostbackCounts> allPostbackCounts() {
        synchronized (model) {
            Set<String> ids = new TreeSet<>(model.state().changes.keySet());
            ids.addAll(model.state().sessions.keySet());
            ids.addAll(model.state().skippedMembers.keySet());
            Map<String, PostbackCounts> out = new TreeMap<>();
            ids.forEach(id -> out.put(id, postbackCounts(id)));
            return out;
        }
    }
}
