package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.cohortPk;
import static dev.currentsbridge.cohorts.adapter.CohortItems.epochSeconds;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.key;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.pagePk;
import static dev.currentsbridge.cohorts.adapter.CohortItems.refs;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.PostbackLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link PostbackLog} on the cohort table: change batches and sync sessions in the cohort's partition, session
 * pages in their own partition (see {@link CohortItems}). Dedupe is the first conditional write of a key.
 */
public final class DynamoPostbackLog implements PostbackLog {

    private final CohortTable table;

    public DynamoPostbackLog(CohortTable table) {
        this.table = table;
    }

    @Override
    public boolean recordChange(ChangeBatch c, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(cohortPk(c.cohortId()), "change#" + c.key()));
        item.put("op", s(c.add() ? "add" : "remove"));
        item.put("members", refs(c.members()));
        item.put("received_at", n(c.receivedAt()));
        item.put("expires_at", n(c.expiresAt().getEpochSecond()));
        return table.putIfAbsentOrExpired(item, now);
    }

    @Override
    public List<ChangeBatch> unfoldedChanges(String cohortId) {
        List<ChangeBatch> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.query(cohortPk(cohortId), "change#", "attribute_not_exists(folded)")) {
            out.add(new ChangeBatch(cohortId, item.get("sk").s().substring("change#".length()),
                    "add".equals(item.get("op").s()), refs(item.get("members")), instant(item, "received_at"),
                    epochSeconds(item, "expires_at")));
        }
        return out;
    }

    @Override
    public void markFolded(String cohortId, Collection<String> changeKeys) {
        for (String k : changeKeys) {
            table.tryUpdate(key(cohortPk(cohortId), "change#" + k),
                    new UpdateExpression().set("folded", AttributeValue.fromBool(true)), "attribute_exists(pk)");
        }
    }

    @Override
    public PageReceipt recordPage(SessionPage page, Instant sessionExpiresAt, Instant now) {
        Map<String, AttributeValue> session = openSession(page, sessionExpiresAt, now);
        if (Integer.parseInt(session.get("total_pages").n()) != page.totalPages()) {
            return PageReceipt.CONFLICT;
        }
        if (!SyncSession.Status.OPEN.name().equals(session.get("status").s())) {
            return PageReceipt.CLOSED;
        }
        Map<String, AttributeValue> item = new HashMap<>(key(pagePk(page.cohortId(), page.sessionId()),
                String.format("page#%06d", page.pageIndex())));
        item.put("members", refs(page.members()));
        item.put("total_pages", n(page.totalPages()));
        item.put("received_at", n(page.receivedAt()));
        item.put("expires_at", n(page.expiresAt().getEpochSecond()));
        // A page older than the session record belongs to an expired earlier session with the same id.
        boolean stored = table.putIf(item, "attribute_not_exists(pk) OR expires_at <= :nowSec OR received_at < :created",
                Map.of(":nowSec", n(now.getEpochSecond()), ":created", session.get("created_at")));
        return stored ? PageReceipt.STORED : PageReceipt.DUPLICATE;
    }

    /** The page's session item, created by its first page (or afresh when the stored one has expired). */
    private Map<String, AttributeValue> openSession(SessionPage page, Instant sessionExpiresAt, Instant now) {
        Map<String, AttributeValue> sessionKey = key(cohortPk(page.cohortId()), "session#" + page.sessionId());
        UpdateExpression open = new UpdateExpression()
                .set("session_id", s(page.sessionId()))
                .setIfAbsent("total_pages", n(page.totalPages()))
                .setIfAbsent("created_at", n(now))
                .setIfAbsent("#status", s(SyncSession.Status.OPEN.name()))
                .setIfAbsent("expires_at", n(sessionExpiresAt.getEpochSecond()))
                .value(":nowSec", n(now.getEpochSecond()));
        try {
            return table.update(sessionKey, open, "attribute_not_exists(pk) OR expires_at > :nowSec");
        } catch (ConditionalCheckFailedException expired) {
            // Dynalite (and DynamoDB, for up to days) keeps expired items: an expired session starts afresh.
            Map<String, AttributeValue> fresh = new HashMap<>(sessionKey);
            fresh.put("session_id", s(page.sessionId()));
            fresh.put("total_pages", n(page.totalPages()));
            fresh.put("created_at", n(now));
            fresh.put("status", s(SyncSession.Status.OPEN.name()));
            fresh.put("expires_at", n(sessionExpiresAt.getEpochSecond()));
            table.put(fresh);
            return fresh;
        }
    }

    @Override
    public List<SyncSession> openSessions(String cohortId) {
        List<SyncSession> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.query(cohortPk(cohortId), "session#", null)) {
            SyncSession.Status status = SyncSession.Status.valueOf(item.get("status").s());
            if (status == SyncSession.Status.OPEN) {
                out.add(new SyncSession(cohortId, item.get("session_id").s(),
                        Integer.parseInt(item.get("total_pages").n()), instant(item, "created_at"), status,
                        epochSeconds(item, "expires_at")));
            }
        }
        return out;
    }

    @Override
    public List<SessionPage> sessionPages(String cohortId, String sessionId) {
        Map<String, AttributeValue> session = table.get(key(cohortPk(cohortId), "session#" + sessionId), null);
        Instant created = instant(session, "created_at");
        List<SessionPage> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.query(pagePk(cohortId, sessionId), "page#", null)) {
            if (created != null && instant(item, "received_at").isBefore(created)) {
                continue; // left over from an expired earlier session with the same id
            }
            out.add(new SessionPage(cohortId, sessionId, Integer.parseInt(item.get("sk").s().substring(5)),
                    Integer.parseInt(item.get("total_pages").n()), refs(item.get("members")),
                    instant(item, "received_at"), epochSeconds(item, "expires_at")));
        }
        return out;
    }

    @Override
    public void closeSession(String cohortId, String sessionId, SyncSession.Status status) {
        table.tryUpdate(key(cohortPk(cohortId), "session#" + sessionId),
                new UpdateExpression().set("#status", s(status.name())), "attribute_exists(pk)");
    }
}
