package dev.currentsbridge.standins.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A seeded, per-request fault schedule: each call to {@link #next()} draws the fault for the next request from
 * the schedule's own weights, with storms (a fault repeated for several consecutive requests, like a 429 storm or a
 * 5xx outage). {@link #stop()} turns faults off, so a test can check that the system converges afterwards.
 * Every draw is recorded ({@link #history()}), so a failing case shows what was injected.
 *
 * @param <F> the fault kinds of one component (Braze, Mixpanel, DynamoDB...); {@code none} is the healthy answer
 */
public final class FaultSchedule<F extends Enum<F>> {

    private final Random random;
    private final F none;
    private final Map<F, Integer> weights;
    private final int totalWeight;
    private final int maxStorm;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<F> history = Collections.synchronizedList(new ArrayList<>());
    private F storm;
    private int stormLeft;

    private FaultSchedule(Random random, F none, Map<F, Integer> weights, int maxStorm) {
        this.random = random;
        this.none = none;
        this.weights = weights;
        this.totalWeight = weights.values().stream().mapToInt(Integer::intValue).sum();
        this.maxStorm = maxStorm;
    }

    /**
     * A schedule with random weights: {@code faultRate} (0..1) of the requests get a fault, spread over a random
     * subset of the fault kinds, so different schedules stress different mixes.
     */
    public static <F extends Enum<F>> FaultSchedule<F> random(Random r, Class<F> kinds, F none, double faultRate,
                                                              int maxStorm) {
        return random(r, kinds, none, faultRate, maxStorm, java.util.EnumSet.allOf(kinds));
    }

    /** As {@link #random(Random, Class, Enum, double, int)}, drawing only from {@code allowed}. */
    public static <F extends Enum<F>> FaultSchedule<F> random(Random r, Class<F> kinds, F none, double faultRate,
                                                              int maxStorm, java.util.Set<F> allowed) {
        Map<F, Integer> w = new EnumMap<>(kinds);
        int faultWeight = 0;
        for (F f : allowed) {
            if (f != none && r.nextInt(3) > 0) {
                int weight = 1 + r.nextInt(10);
                w.put(f, weight);
                faultWeight += weight;
            }
        }
        if (faultWeight > 0) {
            w.put(none, Math.max(1, (int) Math.round(faultWeight * (1 - faultRate) / Math.max(0.01, faultRate))));
        } else {
            w.put(none, 1);
        }
        return new FaultSchedule<>(r, none, w, maxStorm);
    }

    /** A schedule that injects {@code fault} on every request until stopped. */
    public static <F extends Enum<F>> FaultSchedule<F> always(Class<F> kinds, F none, F fault) {
        Map<F, Integer> w = new EnumMap<>(kinds);
        w.put(fault, 1);
        return new FaultSchedule<>(new Random(0), none, w, 1);
    }

    /** A schedule that never injects anything. */
    public static <F extends Enum<F>> FaultSchedule<F> healthy(Class<F> kinds, F none) {
        Map<F, Integer> w = new EnumMap<>(kinds);
        w.put(none, 1);
        return new FaultSchedule<>(new Random(0), none, w, 1);
    }

    /** The fault for the next request. Thread-safe. */
    public synchronized F next() {
        F f;
        if (stopped.get()) {
            f = none;
        } else if (stormLeft > 0) {
            stormLeft--;
            f = storm;
        } else {
            int x = random.nextInt(totalWeight);
            f = none;
            for (Map.Entry<F, Integer> e : weights.entrySet()) {
                x -= e.getValue();
                if (x < 0) {
                    f = e.getKey();
                    break;
                }
            }
            if (f != none && maxStorm > 1 && random.nextInt(4) == 0) {
                storm = f;
                stormLeft = random.nextInt(maxStorm);
            }
        }
        history.add(f);
        return f;
    }

    /** A random number from the schedule's stream (e.g. which objects of a request fail). */
    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public void stop() {
        stopped.set(true);
    }

    public void resume() {
        stopped.set(false);
    }

    public boolean stopped() {
        return stopped.get();
    }

    public List<F> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    public long count(F f) {
        return history().stream().filter(x -> x == f).count();
    }

    @Override
    public String toString() {
        return "FaultSchedule" + weights;
    }
}
