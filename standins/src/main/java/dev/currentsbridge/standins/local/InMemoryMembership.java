package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.port.Membership;
import dev.currentsbridge.standins.local.InMemoryCohortModel.CohortRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** Members, leases and fold watermarks of an {@link InMemoryCohortModel}, with the DynamoDB adapter's semantics. */
public final class InMemoryMembership implements Membership {

    private final InMemoryCohortModel model;

    public InMemoryMembership(InMemoryCohortModel model) {
        this.model = model;
    }

    @Override
    public boolean acquireLease(String cohortId, Instant now, Instant until) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row == null || (row.leaseUntil() != null && row.leaseUntil().isAfter(now))) {
                return false;
            }
            model.state().cohorts.put(cohortId, new CohortRow(row.cohort(), until, row.foldedThrough()));
            model.changed();
            return true;
        }
    }

    @Override
    public void releaseLease(String cohortId) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row != null) {
                model.state().cohorts.put(cohortId, new CohortRow(row.cohort(), null, row.foldedThrough()));
                model.changed();
            }
        }
    }

    @Override
    public Optional<Instant> foldedThrough(String cohortId) {
        synchronized (model) {
            return Optional.ofNullable(model.state().cohorts.get(cohortId)).map(CohortRow::foldedThrough);
        }
    }

    @Override
    public void setFoldedThrough(String cohortId, Instant through) {
        synchronized (model) {
            CohortRow row = model.state().cohorts.get(cohortId);
            if (row != null) {
                model.state().cohorts.put(cohortId, new CohortRow(row.cohort(), row.leaseUntil(), through));
                model.changed();
            }
        }
    }

    @Override
    public List<Member> allMembers(String cohortId) {
        synchronized (model) {
            return List.copyOf(model.state().members.getOrDefault(cohortId, new TreeMap<>()).values());
        }
    }

    @Override
    public MemberPage members(String cohortId, String afterKey, int limit) {
        synchronized (model) {
            TreeMap<String, Member> all = model.state().members.getOrDefault(cohortId, new TreeMap<>());
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
    }

    @Override
    public void writeMembers(String cohortId, Collection<Member> members) {
        synchronized (model) {
            TreeMap<String, Member> all = model.state().members.computeIfAbsent(cohortId, k -> new TreeMap<>());
            for (Member m : members) {
                if (m.removable()) {
                    all.remove(m.ref().storageKey());
                } else {
                    all.put(m.ref().storageKey(), m);
                }
            }
            model.changed();
        }
    }
}
