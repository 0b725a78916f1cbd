package dev.currentsbridge.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.cohorts.model.Member;
import dev.currentsbridge.standins.fixtures.RandomCases;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Any order of the pages inside each full-sync session, and any repetition of any postback, ends in the same
 * stored membership and the same net Braze changes as receiving each postback once, in order.
 */
class ReplayInvariancePropertiesTest {

    private static final String COHORT = "c1";
    private static final String NAME = "Cohort One";

    /** A step of the canonical sequence: a full sync (split into pages) or one incremental postback. */
    sealed interface Step permits FullSync, Delta {
    }

    record FullSync(Set<Integer> members, int pages) implements Step {
    }

    /** {@code partner}: Braze's partner shape instead of Mixpanel's webhook; {@code session}: carries a session id. */
    record Delta(boolean add, Set<Integer> members, boolean partner, boolean session) implements Step {
    }

    /** One HTTP postback. */
    record Message(String path, String body) {
    }

    @Test
    void inMemory() {
        RandomCases.forAll("replay invariance, in-memory store", 150, 0xC0_4081L,
                random -> check(steps(random), random, CohortHarness::inMemory));
    }

    @Test
    void dynalite() {
        RandomCases.forAll("replay invariance, DynamoDB store on dynalite", 15, 0xC0_4082L,
                random -> check(steps(random), random, CohortHarness::dynalite));
    }

    /** Refresh runs between postbacks change when Braze hears of a change, never where it ends up. */
    @Test
    void inMemoryWithRefreshesInBetween() {
        RandomCases.forAll("replay invariance with refreshes in between", 80, 0xC0_4083L,
                random -> refreshesInBetween(steps(random), random));
    }

    private static void refreshesInBetween(List<Step> steps, Random random) {
        List<Message> messages = messages(steps).stream().flatMap(List::stream).toList();
        Outcome once;
        try (CohortHarness h = CohortHarness.inMemory()) {
            once = run(h, messages);
        }
        try (CohortHarness h = CohortHarness.inMemory()) {
            List<Message> replayed = new ArrayList<>(messages);
            repeat(replayed, random.nextInt(4), random);
            for (Message m : replayed) {
                send(h, m);
                if (random.nextInt(3) == 0) {
                    h.runRefresh();
                }
            }
            h.runRefresh();
            assertEquals(once.membership(), membership(h), "stored membership");
            assertEquals(once.brazeState(), new TreeMap<>(h.braze.state(CohortHarness.ATTRIBUTE)), "Braze state");
        }
    }

    /**
     * Adds {@code repeats} re-sends of random messages: one carrying a session id anywhere after its original;
     * one without (a sessionless delta, the partner shape) right after its original, as Mixpanel retries before
     * it sends the next message. A sessionless change identical to an earlier one but sent after other postbacks
     * is a genuine change (add, remove, add again: docs/COHORTS.md), so it is not generated as a re-send. The
     * sessionless re-sends are inserted last, so no other message lands between one and its original.
     */
    private static void repeat(List<Message> replayed, int repeats, Random random) {
        List<Integer> originals = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            originals.add(random.nextInt(replayed.size()));
        }
        List<Message> sessionless = new ArrayList<>();
        for (int original : originals) {
            Message m = replayed.get(original);
            if (m.path().startsWith("/partners/") || !m.body().contains("mixpanel_session_id")) {
                sessionless.add(m);
            } else {
                replayed.add(original + 1 + random.nextInt(replayed.size() - original), m);
            }
        }
        for (Message m : sessionless) {
            replayed.add(replayed.indexOf(m) + 1, m);
        }
    }

    /** 1-6 steps; users u0..u19; full syncs of 0-10 members in 1-4 pages; deltas of 1-5 members. */
    private static List<Step> steps(Random r) {
        int n = 1 + r.nextInt(6);
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (r.nextBoolean()) {
                steps.add(new FullSync(users(r, 0, 10), 1 + r.nextInt(4)));
            } else {
                steps.add(new Delta(r.nextBoolean(), users(r, 1, 5), r.nextBoolean(), r.nextBoolean()));
            }
        }
        return steps;
    }

    private static Set<Integer> users(Random r, int min, int max) {
        int size = min + r.nextInt(max - min + 1);
        Set<Integer> users = new LinkedHashSet<>();
        while (users.size() < size) {
            users.add(r.nextInt(20));
        }
        return users;
    }

    private static void check(List<Step> steps, Random random, Supplier<CohortHarness> harness) {
        List<List<Message>> blocks = messages(steps);
        Outcome once;
        try (CohortHarness h = harness.get()) {
            once = run(h, blocks.stream().flatMap(List::stream).toList());
        }
        List<Message> replayed = new ArrayList<>();
        for (List<Message> block : blocks) {
            List<Message> shuffled = new ArrayList<>(block);
            Collections.shuffle(shuffled, random); // pages of a session in any order; a delta block has one message
            replayed.addAll(shuffled);
        }
        repeat(replayed, random.nextInt(6), random);
        Outcome varied;
        try (CohortHarness h = harness.get()) {
            varied = run(h, replayed);
        }
        assertEquals(once.membership(), varied.membership(), "stored membership");
        assertEquals(once.objects(), varied.objects(), "attributes objects sent to Braze");
        assertEquals(once.brazeState(), varied.brazeState(), "resulting Braze state");
    }

    private static List<List<Message>> messages(List<Step> steps) {
        List<List<Message>> blocks = new ArrayList<>();
        int n = 0;
        for (Step s : steps) {
            n++;
            switch (s) {
                case FullSync f -> {
                    List<List<String>> pages = new ArrayList<>();
                    for (int p = 0; p < f.pages(); p++) {
                        pages.add(new ArrayList<>());
                    }
                    int i = 0;
                    for (int u : f.members()) {
                        pages.get(i++ % f.pages()).add("u" + u);
                    }
                    List<Message> block = new ArrayList<>();
                    for (int p = 0; p < f.pages(); p++) {
                        block.add(new Message("/mixpanel/webhook",
                                CohortHarness.membersPage(COHORT, NAME, "full-" + n, p + 1, f.pages(), pages.get(p))));
                    }
                    blocks.add(block);
                }
                case Delta d -> {
                    List<String> ids = d.members().stream().map(u -> "u" + u).toList();
                    Message m;
                    if (d.partner()) {
                        var root = dev.currentsbridge.common.json.Json.MAPPER.createObjectNode()
                                .put("partner_api_key", "mixpanel").put("client_secret", "KEY").put("cohort_id", COHORT);
                        var change = root.putArray("cohort_changes").addObject();
                        ids.forEach(change.putArray("user_ids")::add);
                        change.put("should_remove", !d.add());
                        m = new Message("/partners/mixpanel/cohorts/users", root.toString());
                    } else {
                        m = new Message("/mixpanel/webhook", CohortHarness.webhookBody(
                                d.add() ? "add_members" : "remove_members", COHORT, NAME,
                                d.session() ? "delta-" + n : null, 1, 1, ids));
                    }
                    blocks.add(List.of(m));
                }
            }
        }
        return blocks;
    }

    record Outcome(List<String> membership, List<String> objects, Map<String, Set<String>> brazeState) {
    }

    private static void send(CohortHarness h, Message m) {
        var r = m.path().startsWith("/partners")
                ? h.partner(m.path(), m.body().replace("\"KEY\"", "\"" + h.key + "\""))
                : h.webhook(m.body());
        assertEquals(200, r.getStatusCode(), r.getBody());
    }

    private static List<String> membership(CohortHarness h) {
        return h.store.membership().allMembers(COHORT).stream().map(ReplayInvariancePropertiesTest::describe).sorted().toList();
    }

    private static Outcome run(CohortHarness h, List<Message> messages) {
        messages.forEach(m -> send(h, m));
        h.runRefresh();
        List<String> membership = membership(h);
        List<String> objects = new ArrayList<>();
        for (var req : h.braze.accepted()) {
            req.body().path("attributes").forEach(o -> objects.add(o.toString()));
        }
        Collections.sort(objects);
        return new Outcome(membership, objects, new TreeMap<>(h.braze.state(CohortHarness.ATTRIBUTE)));
    }

    private static String describe(Member m) {
        return m.ref().storageKey() + "|" + m.desired() + "|" + m.applied();
    }
}
