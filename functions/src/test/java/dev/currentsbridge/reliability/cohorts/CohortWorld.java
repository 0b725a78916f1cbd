package dev.currentsbridge.reliability.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.cohorts.domain.CohortRefresher;
import dev.currentsbridge.cohorts.domain.keys.KeyAdmin;
import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.cohorts.port.BrazeUsers;
import dev.currentsbridge.cohorts.port.CohortState;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.reliability.FuzzStats;
import dev.currentsbridge.standins.braze.ScheduledBraze;
import dev.currentsbridge.standins.fixtures.ApiGatewayEvents;
import dev.currentsbridge.standins.fixtures.RandomCases;
import dev.currentsbridge.standins.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One cohort-sync world for fault schedules: the cohort API and refresh handlers over a store and a {@link ScheduledBraze},
 * a manual clock, and an oracle of what Mixpanel asked for. {@link #round} sends random postbacks (full syncs in pages,
 * add/remove webhooks, Braze-partner changes, renames) and runs the refresh under faults with a random Lambda deadline;
 * {@link #converge} stops the faults and refreshes until nothing is pending; {@link #checkInvariants} proves the rest.
 */
final class CohortWorld {

    static final String ATTRIBUTE = "Mixpanel_Cohorts";
    private static final Duration INTERVAL = Duration.ofMinutes(15);

    final ManualClock clock;
    final CohortState store;
    /** The same state read without injected faults, for the checks. */
    CohortState view;
    final ScheduledBraze braze;
    final CohortApiHandler api;
    final CohortRefreshHandler refresh;
    final String key;
    private final Random r;
    private final List<String> users;
    private final int cohorts;
    /** Oracle: what Mixpanel wants, per cohort. */
    final Map<String, Set<String>> desired = new TreeMap<>();
    final Map<String, String> names = new TreeMap<>();
    /** Every value a cohort was ever written with (names change): value -> cohort. */
    private final Map<String, String> cohortOfValue = new HashMap<>();
    /** Each cohort's latest postback as the bridge numbers them: a partner request, or a unique webhook marker. */
    private final Map<String, String> latestPostback = new HashMap<>();
    private int sessions;
    int refreshRuns;
    int stoppedEarly;
    int failedRuns;
    int postbacks;
    /** Worlds with store faults: a refresh invocation may fail (the next scheduled one picks up). */
    boolean storeFaults;
    /** Runs before each refresh (e.g. an operator updating the rotated Braze key in Secrets Manager). */
    Runnable beforeRefresh = () -> { };
    /** True once a write-back failed: the cohort's recorded counts may lag its members (known limitation). */
    java.util.function.BooleanSupplier countsMayLag = () -> false;
    /** Stops every other fault source when the world converges. */
    Runnable stopFaults = () -> { };

    CohortWorld(Random r, ManualClock clock, CohortState store, ScheduledBraze braze, BrazeUsers brazePort) {
        this.r = r;
        this.clock = clock;
        this.store = store;
        this.view = store;
        this.braze = braze;
        Env env = Env.of(Map.of("TABLE_NAME", "unused", "BRAZE_API_KEY_SECRET_ID", "braze", "BRAZE_REST_ENDPOINT",
                "http://127.0.0.1:1", "COHORT_ATTRIBUTE", ATTRIBUTE,
                // the schedules replace whole memberships at random; the safeguard has its own tests
                "MASS_REMOVAL_MAX_PERCENT", "off"));
        this.api = new CohortApiHandler(store, env, clock);
        this.refresh = new CohortRefreshHandler(store, brazePort, env, clock, clock.sleeper());
        this.key = new KeyAdmin(store.keys(), clock).create("world").secret();
        int n = 3 + r.nextInt(r.nextInt(10) == 0 ? 300 : 40);
        this.users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add("u" + i);
        }
        this.cohorts = 1 + r.nextInt(3);
        for (int c = 0; c < cohorts; c++) {
            String id = "c" + c;
            desired.put(id, new TreeSet<>());
            names.put(id, null); // until a postback names it, the cohort id is its Braze value
            cohortOfValue.put(id, id);
        }
    }

    /** Users Braze refuses on every request (invalid users): a random few. */
    static Set<String> badUsers(Random r, int maxUsers) {
        Set<String> bad = new HashSet<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            bad.add("external_id:u" + r.nextInt(Math.max(3, maxUsers)));
        }
        return bad;
    }

    private String value(String cohortId) {
        String name = names.get(cohortId);
        return name == null || name.isBlank() ? cohortId : name;
    }

    private void rename(String cohortId, String name) {
        names.put(cohortId, name);
        cohortOfValue.put(name, cohortId);
    }

    // ---- driving ---------------------------------------------------------------------------------------------

    /** Random postbacks, then one or two refresh runs with a random deadline, then the 15-minute interval. */
    void round(FuzzStats stats) {
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
            String c = "c" + r.nextInt(cohorts);
            switch (r.nextInt(10)) {
                case 0, 1, 2 -> fullSync(c);
                case 3, 4 -> webhookChange(c, r.nextBoolean());
                case 5, 6, 7 -> partnerChange(c, r.nextBoolean());
                case 8 -> {
                    String name = "Cohort " + c + " v" + r.nextInt(1000);
                    webhookChange(c, true, name);
                }
                default -> partnerRename(c);
            }
        }
        for (int runs = 1 + r.nextInt(2); runs > 0; runs--) {
            Duration budget = Duration.ofSeconds(RandomCases.oneOf(r, List.of(6L, 12L, 30L, 90L, 300L, 900L)));
            runRefresh(budget, stats);
        }
        clock.advance(INTERVAL);
    }

    void runRefresh(Duration budget, FuzzStats stats) {
        clock.advance(CohortRefresher.SETTLE.plusSeconds(1));
        Instant start = clock.peek();
        beforeRefresh.run();
        Map<String, Object> out;
        try {
            out = refresh.handleRequest(new ScheduledEvent(), clock.contextWith(budget));
        } catch (RuntimeException e) {
            if (!storeFaults) {
                throw e;
            }
            failedRuns++; // Lambda reports the error; the next scheduled run starts over
            stats.add("refresh invocations failed (store faults)", 1);
            return;
        }
        refreshRuns++;
        if (Boolean.TRUE.equals(out.get("stoppedEarly"))) {
            stoppedEarly++;
        }
        stats.add("refresh runs", 1);
        checkLedgerConsistency(start);
    }

    /** Faults off; refresh every interval until nothing is pending (bounded). */
    void converge(FuzzStats stats) {
        braze.schedule().stop();
        stopFaults.run();
        for (int i = 0; i < 6; i++) {
            clock.advance(INTERVAL);
            runRefresh(Duration.ofMinutes(15), stats);
            if (view.registry().listCohorts().stream().allMatch(c -> c.pendingCount() == 0)
                    && view.registry().listCohorts().stream().allMatch(c -> view.postbacks().unfoldedChanges(c.id()).isEmpty())) {
                return;
            }
        }
    }

    private void fullSync(String c) {
        List<String> members = new ArrayList<>();
        for (String u : users) {
            if (r.nextInt(3) == 0) {
                members.add(u);
            }
        }
        Collections.shuffle(members, r);
        int pageSize = 1 + r.nextInt(Math.max(1, members.size()));
        int total = Math.max(1, (members.size() + pageSize - 1) / pageSize);
        String session = "s" + (++sessions);
        List<Integer> order = new ArrayList<>();
        for (int p = 1; p <= total; p++) {
            order.add(p);
        }
        Collections.shuffle(order, r);
        for (int p : order) {
            List<String> page = members.subList(Math.min(members.size(), (p - 1) * pageSize),
                    Math.min(members.size(), p * pageSize));
            ObjectNode body = webhookBody("members", c, names.get(c) == null ? "Cohort " + c : names.get(c), page);
            ObjectNode params = (ObjectNode) body.get("parameters");
            params.put("mixpanel_session_id", session);
            params.putObject("page_info").put("total_pages", total).put("page_count", p);
            send("/mixpanel/webhook", body, true);
            if (r.nextInt(8) == 0) {
                send("/mixpanel/webhook", body, true); // Mixpanel's retry of the same page
            }
        }
        desired.put(c, new TreeSet<>(members));
        latestPostback.put(c, "full sync " + session);
        if (names.get(c) == null) {
            rename(c, "Cohort " + c);
        }
    }

    private void webhookChange(String c, boolean add) {
        webhookChange(c, add, names.get(c) == null ? "Cohort " + c : names.get(c));
    }

    private void webhookChange(String c, boolean add, String name) {
        List<String> ids = someUsers();
        ObjectNode body = webhookBody(add ? "add_members" : "remove_members", c, name, ids);
        ((ObjectNode) body.get("parameters")).put("mixpanel_session_id", "inc" + (++sessions));
        send("/mixpanel/webhook", body, true);
        if (r.nextInt(8) == 0) {
            send("/mixpanel/webhook", body, true);
        }
        latestPostback.put(c, "webhook change " + sessions);
        rename(c, name);
        apply(c, ids, add);
    }

    private void partnerChange(String c, boolean add) {
        List<String> ids = someUsers();
        ObjectNode body = Json.MAPPER.createObjectNode().put("client_secret", key).put("cohort_id", c);
        ObjectNode change = body.putArray("cohort_changes").addObject();
        ids.forEach(change.putArray("user_ids")::add);
        change.put("should_remove", !add);
        send("/partners/mixpanel/cohorts/users", body, false);
        // A partner change identical to the cohort's latest postback is taken for its re-send (docs/COHORTS.md);
        // an identical change after another postback is a genuine one (add, remove, add again).
        String request = (add ? "+" : "-") + new TreeSet<>(ids);
        if (ids.isEmpty() || request.equals(latestPostback.get(c))) {
            return;
        }
        latestPostback.put(c, request);
        apply(c, ids, add);
    }

    private void partnerRename(String c) {
        String name = "Cohort " + c + " p" + r.nextInt(1000);
        send("/partners/mixpanel/cohorts", Json.MAPPER.createObjectNode().put("client_secret", key).put("cohort_id", c)
                .put("name", name).put("created_at", "2026-11-28T10:00:00Z"), false);
        rename(c, name);
    }

    private void apply(String c, List<String> ids, boolean add) {
        if (add) {
            desired.get(c).addAll(ids);
        } else {
            ids.forEach(desired.get(c)::remove);
        }
    }

    private List<String> someUsers() {
        List<String> ids = new ArrayList<>();
        for (int i = 1 + r.nextInt(Math.min(users.size(), 12)); i > 0; i--) {
            ids.add(RandomCases.oneOf(r, users));
        }
        return new ArrayList<>(new TreeSet<>(ids));
    }

    private static ObjectNode webhookBody(String action, String cohortId, String name, List<String> ids) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("action", action);
        ObjectNode p = root.putObject("parameters");
        p.put("mixpanel_project_id", "1").put("mixpanel_cohort_id", cohortId).put("mixpanel_cohort_name", name);
        ArrayNode members = p.putArray("members");
        ids.forEach(id -> members.addObject().put("mixpanel_distinct_id", id).put("email", id + "@example.com"));
        return root;
    }

    /** Sends a postback; on 503 (store trouble) retries as Mixpanel does, up to a bound. */
    private void send(String path, ObjectNode body, boolean basicAuth) {
        postbacks++;
        Map<String, String> headers = basicAuth ? Map.of("authorization", ApiGatewayEvents.basic("mixpanel", key)) : Map.of();
        for (int attempt = 0; ; attempt++) {
            APIGatewayV2HTTPResponse reply = api.handleRequest(ApiGatewayEvents.post(path, body.toString(), headers), null);
            if (reply.getStatusCode() == 200) {
                return;
            }
            assertEquals(503, reply.getStatusCode(), "only store trouble may refuse a valid postback: " + reply.getBody());
            assertTrue(attempt < 50, "postback kept failing");
            onPostbackRetry();
        }
    }

    /** Hook for worlds with store faults (e.g. let time pass); nothing by default. */
    void onPostbackRetry() {
    }

    // ---- invariants ------------------------------------------------------------------------------------------

    /** After every run: each cohort the run refreshed has counts that match its member items. */
    void checkLedgerConsistency(Instant runStart) {
        if (countsMayLag.getAsBoolean()) {
            return;
        }
        for (Cohort c : view.registry().listCohorts()) {
            if (c.lastRefreshAt() == null || c.lastRefreshAt().isBefore(runStart)) {
                continue;
            }
            String value = c.value(dev.currentsbridge.cohorts.model.ValueSource.NAME);
            List<Member> members = view.membership().allMembers(c.id());
            assertEquals(members.stream().filter(m -> m.pending(value)).count(), c.pendingCount(), "pending_count of " + c.id());
            assertEquals(members.stream().filter(Member::desired).count(), c.memberCount(), "member_count of " + c.id());
        }
    }

    /** The result once faults stopped and the refresh converged. Returns applied / rejected counts. */
    long[] checkInvariants(boolean strictOnce) {
        return checkInvariants(strictOnce, true);
    }

    /**
     * @param brazeMatchesLedger false where a member write-back failed after Braze acknowledged (known limitation:
     *                           Braze may keep a value the store never recorded, see docs/RELIABILITY.md)
     */
    long[] checkInvariants(boolean strictOnce, boolean brazeMatchesLedger) {
        long applied = 0;
        long rejected = 0;
        Map<String, Set<String>> bridgeBelief = new TreeMap<>();
        for (String c : desired.keySet()) {
            Cohort cohort = view.registry().findCohort(c).orElse(null);
            if (cohort == null) {
                assertTrue(desired.get(c).isEmpty(), "a cohort with members was registered");
                continue;
            }
            assertEquals(names.get(c), cohort.name(), "cohort name");
            String value = value(c);
            Set<String> in = new TreeSet<>();
            for (Member m : view.membership().allMembers(c)) {
                if (m.desired()) {
                    in.add(m.ref().id());
                }
                // nothing lost: every change ended applied or rejected by Braze with its reason
                assertFalse(m.pending(value), "change still pending after convergence for a member of " + c);
                String want = m.wanted(value);
                if (m.applied() != null) {
                    bridgeBelief.computeIfAbsent("external_id:" + m.ref().id(), k -> new TreeSet<>()).add(m.applied());
                }
                if (java.util.Objects.equals(want, m.applied())) {
                    if (want != null) {
                        applied++;
                    }
                } else {
                    assertTrue(m.rejectReason() != null && !m.rejectReason().isBlank(), "a rejected change has a reason");
                    rejected++;
                }
            }
            assertEquals(desired.get(c), in, () -> "membership of " + c + " is what Mixpanel said last; open sessions "
                    + view.postbacks().openSessions(c).stream().map(x -> x.sessionId() + ":" + x.totalPages() + "/"
                    + view.postbacks().sessionPages(c, x.sessionId()).size() + "@" + x.createdAt()).toList()
                    + ", unfolded " + view.postbacks().unfoldedChanges(c).size() + ", folded through " + view.membership().foldedThrough(c)
                    + ", last refresh " + cohort.lastRefreshAt() + ", now " + clock.peek() + ", sessions sent " + sessions);
            assertEquals(0, cohort.pendingCount());
            assertEquals(in.size(), cohort.memberCount());
        }
        // What the bridge believes Braze holds is what Braze holds: no lost removal, no stray value.
        if (brazeMatchesLedger) {
            assertEquals(bridgeBelief, braze.state(), "Braze state equals the bridge's ledger");
        } else {
            // still: every value the bridge believes applied is in Braze
            bridgeBelief.forEach((u, v) -> assertTrue(braze.state().getOrDefault(u, Set.of()).containsAll(v), u));
        }
        if (strictOnce) {
            checkNothingAppliedTwice();
        }
        return new long[] {applied, rejected};
    }

    /**
     * Acknowledged applies of one (user, cohort) alternate with changes of what is wanted: the bridge never re-sends
     * a change Braze acknowledged. The data-point ledger counts each acknowledged change exactly once.
     */
    private void checkNothingAppliedTwice() {
        Map<String, String> last = new HashMap<>();
        long acknowledgedChanges = 0;
        for (ScheduledBraze.Applied a : braze.applied()) {
            Set<String> touched = new TreeSet<>();
            a.add().forEach(v -> touched.add(cohortOfValue.get(v)));
            a.remove().forEach(v -> touched.add(cohortOfValue.get(v)));
            if (!a.acknowledged()) {
                // an unanswered request justifies sending the same change again
                touched.forEach(c -> last.remove(a.user() + "|" + c));
                continue;
            }
            acknowledgedChanges += touched.size();
            for (String c : touched) {
                String added = a.add().stream().filter(v -> c.equals(cohortOfValue.get(v))).findFirst().orElse("-");
                String k = a.user() + "|" + c;
                assertFalse(added.equals(last.get(k)), "the same acknowledged change sent twice for " + k + ": " + added);
                last.put(k, added);
            }
        }
        long dataPoints = view.registry().listCohorts().stream().mapToLong(Cohort::dataPoints).sum();
        assertEquals(acknowledgedChanges, dataPoints, "data points count each acknowledged change once");
    }
}
