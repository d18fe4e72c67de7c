package dev.scratchlm.feedback.campaign;

import dev.scratchlm.service.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What a ranking must be: every candidate exactly once in groups, best first (or, when unusable, none). */
public final class RankingRules {
    private RankingRules() {}

    public static final Set<String> FLAG_REASONS = Set.of("spam", "pii", "unsafe", "wrong_language", "factually_wrong");
    public static final int MAX_COMMENT = 2000;

    public static void checkOrder(List<List<Integer>> order, int k, boolean unusable) {
        if (order == null)
            throw ApiError.invalid("order", "order is a list of groups of candidate indexes, best first");
        if (unusable) {
            if (!order.isEmpty())
                throw ApiError.invalid("order", "an 'all unusable' ranking orders no candidates: send order []");
            return;
        }
        boolean[] seen = new boolean[k];
        TreeSet<Integer> repeated = new TreeSet<>(), unknown = new TreeSet<>();
        for (List<Integer> group : order) {
            if (group == null || group.isEmpty())
                throw ApiError.invalid("order", "a group of tied candidates holds at least one candidate");
            for (Integer c : group) {
                if (c == null || c < 0 || c >= k) unknown.add(c == null ? -1 : c);
                else if (seen[c]) repeated.add(c);
                else seen[c] = true;
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < k; i++) if (!seen[i]) missing.add(i);
        if (!unknown.isEmpty())
            throw ApiError.invalid(
                    "order", "no candidate " + unknown + " in this task: candidates are 0 to " + (k - 1));
        if (!repeated.isEmpty()) throw ApiError.invalid("order", "candidates " + repeated + " appear more than once");
        if (!missing.isEmpty())
            throw ApiError.invalid(
                    "order",
                    "candidates " + missing + " are missing: rank all " + k
                            + " (ties allowed) or mark the task unusable");
    }
}
