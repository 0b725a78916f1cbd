package dev.currentsbridge.cohorts.adapter;

import static dev.currentsbridge.cohorts.adapter.CohortItems.bySize;
import static dev.currentsbridge.cohorts.adapter.CohortItems.cohortPk;
import static dev.currentsbridge.cohorts.adapter.CohortItems.countsKey;
import static dev.currentsbridge.cohorts.adapter.CohortItems.epochSeconds;
import static dev.currentsbridge.cohorts.adapter.CohortItems.instant;
import static dev.currentsbridge.cohorts.adapter.CohortItems.key;
import static dev.currentsbridge.cohorts.adapter.CohortItems.n;
import static dev.currentsbridge.cohorts.adapter.CohortItems.num;
import static dev.currentsbridge.cohorts.adapter.CohortItems.pagePk;
import static dev.currentsbridge.cohorts.adapter.CohortItems.refs;
import static dev.currentsbridge.cohorts.adapter.CohortItems.s;

import dev.currentsbridge.cohorts.model.ChangeBatch;
import dev.currentsbridge.cohorts.model.MemberRef;
import dev.currentsbridge.cohorts.model.SessionPage;
import dev.currentsbridge.cohorts.model.SyncSession;
import dev.currentsbridge.cohorts.port.PostbackLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link PostbackLog} on the cohort table: change batches and sync sessions in the cohort's partition, session
 * pages in their own partition (see {@link CohortItems}); it keeps the queued-change and open-session counts of
 * {@code cohorts}/{@code counts#<cohortId>} (read by {@link DynamoCohortRegistry#postbackCounts}) as it writes. Dedupe is the first conditional write of a key.
 *
 * <p>Records larger than {@link CohortItems#MAX_MEMBER_BYTES_PER_ITEM} are stored as several items: a change
 * batch as independent batches {@code change#<key>}, {@code change#<key>#2}, ... (each deduped on its own; same
 * action, disjoint members, so they fold in any order); a page as its parts {@code page#<n>#<attempt>#2}, ...
 * written first and then its head {@code page#<n>} (the commit, naming the attempt and the part count), so a page
 * is read whole or not at all, and parts of a losing concurrent attempt are never read.
 */
public final class DynamoPostbackLog implements PostbackLog {

    private final CohortTable table;

    public DynamoPostbackLog(CohortTable table) {
        this.table = table;
    }

    @Override
    public boolean recordChange(ChangeBatch c, Instant now) {
        List<List<MemberRef>> parts = bySize(c.members());
        boolean stored = false;
        for (int i = 0; i < parts.size(); i++) {
            String sk = "change#" + c.key() + (i == 0 ? "" : "#" + (i + 1));
            Map<String, AttributeValue> item = new HashMap<>(key(cohortPk(c.cohortId()), sk));
            item.put("op", s(c.add() ? "add" : "remove"));
            item.put("members", refs(parts.get(i)));
            item.put("received_at", n(c.receivedAt()));
            item.put("expires_at", n(c.expiresAt().getEpochSecond()));
            if (table.putIfAbsentOrExpired(item, now)) {
                stored = true;
                addToCounts(c.cohortId(), "queued_changes", 1);
            }
        }
        return stored;
    }

    @Override
    public List<ChangeBatch> unfoldedChanges(String cohortId) {
        List<ChangeBatch> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.query(cohortPk(cohortId), "change#", "attribute_not_exists(folded)")) {
            out.add(new ChangeBatch(cohortId, item.get("sk").s().substring("change#".length()),
                    "add".equals(item.get("op").s()), refs(item.get("members")), instant(item, "received_at"),
                    epochSeconds(item, "expires_at")));
        }
        correctCount(cohortId, "queued_changes", out.size());
        return out;
    }

    @Override
    public void markFolded(String cohortId, Collection<String> changeKeys) {
        for (String k : changeKeys) {
            if (table.tryUpdate(key(cohortPk(cohortId), "change#" + k),
                    new UpdateExpression().set("folded", AttributeValue.fromBool(true)),
                    "attribute_exists(pk) AND attribute_not_exists(folded)")) {
                addToCounts(cohortId, "queued_changes", -1);
            }
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
        String pk = pagePk(page.cohortId(), page.sessionId());
        String headSk = String.format("page#%06d", page.pageIndex());
        // A page older than the session record belongs to an expired earlier session with the same id.
        String fresh = "attribute_not_exists(pk) OR expires_at <= :nowSec OR received_at < :created";
        Map<String, AttributeValue> freshValues = Map.of(":nowSec", n(now.getEpochSecond()), ":created",
                session.get("created_at"));
        List<List<MemberRef>> parts = bySize(page.members());
        String attempt = UUID.randomUUID().toString().substring(0, 8);
        if (parts.size() > 1) {
            Map<String, AttributeValue> head = table.get(key(pk, headSk), null);
            if (head != null && !head.isEmpty() && !isStale(head, now, session)) {
                return PageReceipt.DUPLICATE; // re-sent: spare the part writes
            }
            for (int i = 1; i < parts.size(); i++) {
                Map<String, AttributeValue> part = new HashMap<>(key(pk, headSk + "#" + attempt + "#" + (i + 1)));
                part.put("members", refs(parts.get(i)));
                part.put("expires_at", n(page.expiresAt().getEpochSecond()));
                table.put(part);
            }
        }
        Map<String, AttributeValue> item = new HashMap<>(key(pk, headSk));
        item.put("members", refs(parts.get(0)));
        item.put("total_pages", n(page.totalPages()));
        item.put("received_at", n(page.receivedAt()));
        item.put("expires_at", n(page.expiresAt().getEpochSecond()));
        item.put("parts", n(parts.size()));
        item.put("attempt", s(attempt));
        return table.putIf(item, fresh, freshValues) ? PageReceipt.STORED : PageReceipt.DUPLICATE;
    }

    private static boolean isStale(Map<String, AttributeValue> head, Instant now, Map<String, AttributeValue> session) {
        return num(head, "expires_at") <= now.getEpochSecond() || num(head, "received_at") < num(session, "created_at");
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
                .add("page_writes", n(1))
                .value(":nowSec", n(now.getEpochSecond()));
        try {
            Map<String, AttributeValue> session = table.update(sessionKey, open, "attribute_not_exists(pk) OR expires_at > :nowSec");
            if (num(session, "page_writes") == 1) {
                addToCounts(page.cohortId(), "open_sessions", 1); // the session's first write
            }
            return session;
        } catch (ConditionalCheckFailedException expired) {
            // Dynalite (and DynamoDB, for up to days) keeps expired items: an expired session starts afresh
            // (counted open already unless the refresh closed it; the refresh's next read sets the count right).
            Map<String, AttributeValue> fresh = new HashMap<>(sessionKey);
            fresh.put("session_id", s(page.sessionId()));
            fresh.put("total_pages", n(page.totalPages()));
            fresh.put("created_at", n(now));
            fresh.put("status", s(SyncSession.Status.OPEN.name()));
            fresh.put("expires_at", n(sessionExpiresAt.getEpochSecond()));
            fresh.put("page_writes", n(1));
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
        correctCount(cohortId, "open_sessions", out.size());
        return out;
    }

    @Override
    public List<SessionPage> sessionPages(String cohortId, String sessionId) {
        Map<String, AttributeValue> session = table.get(key(cohortPk(cohortId), "session#" + sessionId), null);
        Instant created = instant(session, "created_at");
        Map<String, Map<String, AttributeValue>> items = new LinkedHashMap<>();
        for (Map<String, AttributeValue> item : table.query(pagePk(cohortId, sessionId), "page#", null)) {
            items.put(item.get("sk").s(), item);
        }
        List<SessionPage> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, AttributeValue>> e : items.entrySet()) {
            Map<String, AttributeValue> item = e.getValue();
            if (e.getKey().length() != "page#000000".length()) {
                continue; // a part: read with its head
            }
            if (created != null && instant(item, "received_at").isBefore(created)) {
                continue; // left over from an expired earlier session with the same id
            }
            List<MemberRef> members = new ArrayList<>(refs(item.get("members")));
            long parts = item.containsKey("parts") ? num(item, "parts") : 1;
            for (int i = 2; i <= parts; i++) {
                Map<String, AttributeValue> part = items.get(e.getKey() + "#" + item.get("attempt").s() + "#" + i);
                if (part == null) {
                    throw new IllegalStateException("page part missing: " + e.getKey() + " part " + i);
                }
                members.addAll(refs(part.get("members")));
            }
            out.add(new SessionPage(cohortId, sessionId, Integer.parseInt(e.getKey().substring(5)),
                    Integer.parseInt(item.get("total_pages").n()), members,
                    instant(item, "received_at"), epochSeconds(item, "expires_at")));
        }
        return out;
    }

    @Override
    public void closeSession(String cohortId, String sessionId, SyncSession.Status status) {
        boolean wasOpen = table.tryUpdate(key(cohortPk(cohortId), "session#" + sessionId),
                new UpdateExpression().set("#status", s(status.name())).value(":open", s(SyncSession.Status.OPEN.name())),
                "attribute_exists(pk) AND #status = :open");
        if (wasOpen && status != SyncSession.Status.OPEN) {
            addToCounts(cohortId, "open_sessions", -1);
        } else if (!wasOpen) {
            table.tryUpdate(key(cohortPk(cohortId), "session#" + sessionId),
                    new UpdateExpression().set("#status", s(status.name())), "attribute_exists(pk)");
        }
    }

    @Override
    public Sequence lastPostback(String cohortId) {
        Map<String, AttributeValue> item = table.get(key(cohortPk(cohortId), "sequence"), null);
        return item == null || item.isEmpty() ? Sequence.NONE : new Sequence(item.get("fingerprint").s(), num(item, "seq"));
    }

    @Override
    public void advancePostbacks(String cohortId, String fingerprint, long number) {
        table.tryUpdate(key(cohortPk(cohortId), "sequence"), new UpdateExpression().set("fingerprint", s(fingerprint))
                .set("seq", n(number)).value(":number", n(number)), "attribute_not_exists(seq) OR seq < :number");
    }

    private void addToCounts(String cohortId, String counter, long n) {
        table.update(countsKey(cohortId), new UpdateExpression().add(counter, n(n)), null);
    }

    /** Sets a count to what the refresh just read, if it drifted (a read, and a write only when it differs). */
    private void correctCount(String cohortId, String counter, long actual) {
        Map<String, AttributeValue> item = table.get(countsKey(cohortId), counter);
        long kept = item == null || item.isEmpty() ? 0 : num(item, counter);
        if (kept != actual) {
            table.update(countsKey(cohortId), new UpdateExpression().set(counter, n(actual)), null);
        }
    }
}
