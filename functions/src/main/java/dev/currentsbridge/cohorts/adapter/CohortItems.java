package dev.currentsbridge.cohorts.adapter;

import dev.currentsbridge.cohorts.model.MemberRef;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The cohort table's key design and attribute conversions, shared by its four adapters ({@link DynamoCohortRegistry},
 * {@link DynamoPostbackLog}, {@link DynamoMembership}, {@link DynamoKeyStore}). One DynamoDB table, string keys
 * {@code pk}/{@code sk}; TTL attribute {@code expires_at}, epoch seconds, enabled by the infrastructure:
 *
 * <pre>
 * item            pk                                   sk                        notes
 * cohort          cohorts                              cohort#&lt;cohortId&gt;         one partition: listing is one Query
 * member          cohort#&lt;cohortId&gt;                   member#&lt;kind&gt;#&lt;userId&gt;   desired / applied state
 * change batch    cohort#&lt;cohortId&gt;                   change#&lt;sha256&gt;[-n][#part] idempotent key; folded flag; expires_at
 * sequence        cohort#&lt;cohortId&gt;                   sequence                  the latest postback's fingerprint, number
 * sync session    cohort#&lt;cohortId&gt;                   session#&lt;sessionId&gt;       total_pages, status; expires_at
 * session page    session#&lt;len(cohortId)&gt;:&lt;cohortId&gt;#&lt;sessionId&gt;  page#&lt;000001&gt;[#attempt#part]  members; expires_at
 * counts          cohorts                              counts#&lt;cohortId&gt;         queued changes, open sessions, skipped members
 * key             keys                                 key#&lt;keyId&gt;               SHA-256 only; role, project; revoked_at
 * admin set       keys                                 admins                    ids of the active admin keys
 * </pre>
 *
 * <p>The cohort item also carries the refresh lease ({@code lease_until}) and the fold watermark
 * ({@code folded_through}), which {@link DynamoMembership} owns. Instants are stored as epoch milliseconds
 * (numbers compare correctly in conditions), {@code expires_at} as epoch seconds.
 */
final class CohortItems {

    static final String COHORTS_PK = "cohorts";
    static final String KEYS_PK = "keys";

    private CohortItems() {
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    static Map<String, AttributeValue> cohortKey(String cohortId) {
        return key(COHORTS_PK, "cohort#" + cohortId);
    }

    /** The cohort's postback counts (queued changes, open sessions, skipped members). */
    static Map<String, AttributeValue> countsKey(String cohortId) {
        return key(COHORTS_PK, "counts#" + cohortId);
    }

    /** The partition of one cohort's members, change batches and sessions. */
    static String cohortPk(String cohortId) {
        return "cohort#" + cohortId;
    }

    static String pagePk(String cohortId, String sessionId) {
        // The length prefix keeps (cohort "a#b", session "c") and (cohort "a", session "b#c") apart.
        return "session#" + cohortId.length() + ":" + cohortId + "#" + sessionId;
    }

    /**
     * Most bytes of member keys one item holds: DynamoDB refuses items over 400 KB, and a page or change batch
     * can be larger (1000 ids of 320 three-byte characters are ~960 KB; a full-sync page has no documented size),
     * so such records are stored as several items of at most this many bytes, leaving a quarter for the rest.
     */
    static final int MAX_MEMBER_BYTES_PER_ITEM = 300_000;

    /** {@code refs} cut into runs of at most {@link #MAX_MEMBER_BYTES_PER_ITEM} bytes as stored; at least one run. */
    static List<List<MemberRef>> bySize(List<MemberRef> refs) {
        List<List<MemberRef>> out = new java.util.ArrayList<>();
        List<MemberRef> run = new java.util.ArrayList<>();
        long bytes = 0;
        for (MemberRef r : refs) {
            // UTF-8 bytes of the string plus DynamoDB's per-element overhead (a few bytes), rounded up
            long size = r.storageKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4;
            if (!run.isEmpty() && bytes + size > MAX_MEMBER_BYTES_PER_ITEM) {
                out.add(run);
                run = new java.util.ArrayList<>();
                bytes = 0;
            }
            run.add(r);
            bytes += size;
        }
        out.add(run);
        return out;
    }

    static AttributeValue refs(Collection<MemberRef> refs) {
        // A list, not a string set: DynamoDB refuses empty sets, and an empty page is legitimate.
        return AttributeValue.fromL(refs.stream().map(r -> s(r.storageKey())).toList());
    }

    static List<MemberRef> refs(AttributeValue v) {
        return v.l().stream().map(a -> MemberRef.fromStorageKey(a.s())).toList();
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    static AttributeValue n(Instant i) {
        return n(i.toEpochMilli());
    }

    static String str(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i == null ? null : i.get(attr);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i.get(attr);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    static Instant instant(Map<String, AttributeValue> i, String attr) {
        AttributeValue v = i == null ? null : i.get(attr);
        return v == null || v.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    static Instant epochSeconds(Map<String, AttributeValue> i, String attr) {
        return Instant.ofEpochSecond(Long.parseLong(i.get(attr).n()));
    }
}
