package dev.currentsbridge.reliability;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Outcome counters of a fuzz or fault-injection suite, printed once at the end as {@code [figures] <suite> <name>=<n>}
 * lines, so a CI log holds the figures docs/RELIABILITY.md quotes.
 */
public final class FuzzStats {

    private final String suite;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public FuzzStats(String suite) {
        this.suite = suite;
    }

    public void count(String name) {
        add(name, 1);
    }

    public void add(String name, long n) {
        String clean = name.replaceAll("[^\\x20-\\x7e]", "?");
        counts.computeIfAbsent(clean.length() > 90 ? clean.substring(0, 90) + "..." : clean, k -> new LongAdder()).add(n);
    }

    public long get(String name) {
        LongAdder a = counts.get(name);
        return a == null ? 0 : a.sum();
    }

    public void print() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.sum()));
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> sb.append("[figures] ").append(suite).append(' ').append(k).append('=').append(v).append('\n'));
        System.out.print(sb);
    }
}
