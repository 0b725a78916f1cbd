package dev.currentsbridge.cohorts.domain;

import dev.currentsbridge.cohorts.model.Cohort;
import dev.currentsbridge.cohorts.model.ValueSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the cohorts into the groups a {@link CohortRefresher} run refreshes one at a time (fold, apply, write
 * back), so memory holds one group's members, not every cohort's. Cohorts that share an attribute value (equal
 * names, or a rename to or from another cohort's name) are one group: their changes must be combined per user,
 * or one cohort's removal of a value would take it from a user another cohort still gives it to. With distinct
 * names every group is one cohort.
 */
final class CohortGroups {

    private CohortGroups() {
    }

    static List<List<Cohort>> of(List<Cohort> cohorts, ValueSource source) {
        int[] parent = new int[cohorts.size()];
        Map<String, Integer> firstWithValue = new HashMap<>();
        for (int i = 0; i < cohorts.size(); i++) {
            parent[i] = i;
            Cohort c = cohorts.get(i);
            for (String v : new String[] {c.value(source), c.appliedValue()}) {
                if (v == null) {
                    continue;
                }
                Integer other = firstWithValue.putIfAbsent(v, i);
                if (other != null) {
                    parent[root(parent, i)] = root(parent, other);
                }
            }
        }
        Map<Integer, List<Cohort>> groups = new LinkedHashMap<>();
        for (int i = 0; i < cohorts.size(); i++) {
            groups.computeIfAbsent(root(parent, i), k -> new ArrayList<>()).add(cohorts.get(i));
        }
        return List.copyOf(groups.values());
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
