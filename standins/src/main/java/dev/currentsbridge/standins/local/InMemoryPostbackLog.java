package dev.currentsbridge.standins.local;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.PostbackLog;
import dev.currentsbridge.standins.local.InMemoryCohortModel.ChangeRow;
import dev.currentsbridge.standins.local.InMemoryCohortModel.SessionRow;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** Change batches and session pages of an {@link InMemoryCohortModel}, with the DynamoDB adapter's semantics
 * (a dedupe record counts until its {@code expiresAt}). */
public final class InMemoryPostbackLog implements PostbackLog {

    private final InMemoryCohortModel model;

    public InMemoryPostbackLog(InMemoryCohortModel model) {
        this.model = model;
    }

    @Override
    public boolean recordChange(ChangeBatch change, Instant now) {
        synchronized (model) {
            var byKey = model.state().changes.computeIfAbsent(change.cohortId(), k -> new TreeMap<>());
            ChangeRow existing = byKey.get(change.key());
            if (existing != null && existing.batch().expiresAt().isAfter(now)) {
                return false;
            }
            byKey.put(change.key(), new ChangeRow(change, false));
            model.changed();
            return true;
        }
    }

    @Override
    public List<ChangeBatch> unfoldedChanges(String cohortId) {
        synchronized (model) {
            return model.state().changes.getOrDefault(cohortId, new TreeMap<>()).values().stream()
                    .filter(r -> !r.folded()).map(ChangeRow::batch).toList();
        }
    }

    @Override
    public void markFolded(String cohortId, Collection<String> changeKeys) {
        synchronized (model) {
            var byKey = model.state().changes.getOrDefault(cohortId, new TreeMap<>());
            for (String k : changeKeys) {
                byKey.computeIfPresent(k, (key, r) -> new ChangeRow(r.batch(), true));
            }
            model.changed();
        }
    }

    @Override
    public PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now) {
        synchronized (model) {
            var bySession = model.state().sessions.computeIfAbsent(page.cohortId(), k -> new TreeMap<>());
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
            model.changed();
            return PageReceipt.STORED;
        }
    }

    @Override
    public List<SyncSession> openSessions(String cohortId) {
        synchronized (model) {
            return model.state().sessions.getOrDefault(cohortId, new TreeMap<>()).values().stream().map(SessionRow::session)
                    .filter(s -> s.status() == SyncSession.Status.OPEN).toList();
        }
    }

    @Override
    public List<SessionPage> sessionPages(String cohortId, String sessionId) {
        synchronized (model) {
            SessionRow row = model.state().sessions.getOrDefault(cohortId, new TreeMap<>()).get(sessionId);
            return row == null ? List.of() : List.copyOf(row.pages().values());
        }
    }

    @Override
    public Sequence lastPostback(String cohortId) {
        synchronized (model) {
            return model.state().sequences.getOrDefault(cohortId, Sequence.NONE);
        }
    }

    @Override
    public void advancePostbacks(String cohortId, String fingerprint, long number) {
        synchronized (model) {
            if (model.state().sequences.getOrDefault(cohortId, Sequence.NONE).number() < number) {
                model.state().sequences.put(cohortId, new Sequence(fingerprint, number));
                model.changed();
            }
        }
    }

    @Override
    public void closeSession(String cohortId, String sessionId, SyncSession.Status status) {
        synchronized (model) {
            var bySession = model.state().sessions.getOrDefault(cohortId, new TreeMap<>());
            SessionRow row = bySession.get(sessionId);
            if (row != null) {
                SyncSession s = row.session();
                bySession.put(sessionId, new SessionRow(new SyncSession(s.cohortId(), s.sessionId(), s.totalPages(),
                        s.createdAt(), status, s.expiresAt()), row.pages()));
                model.changed();
            }
        }
    }
}
