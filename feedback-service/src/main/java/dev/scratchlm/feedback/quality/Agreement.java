package dev.scratchlm.feedback.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much raters agree on the rankings of the same tasks.
 * <ul>
 *   <li><b>pairwise agreement</b>: over every two raters of a task and every two candidates both ranked, the share
 *       of comparisons where both put the pair the same way (better, worse or tied);</li>
 *   <li><b>Krippendorff's alpha</b> with the <b>interval</b> distance {@code (a - b)^2}: the units are the candidates
 *       of a task, the value a rater gives a candidate is its rank (1 = best; tied candidates share the mean of the
 *       positions they span, so {@code [[0], [1, 2]]} gives 1, 2.5, 2.5). 1 is perfect agreement, 0 agreement by
 *       chance, below 0 systematic disagreement.</li>
 * </ul>
 * A candidate left out of a ranking (e.g. an unusable ranking) has no value for that rater.
 */
public final class Agreement {
    private Agreement() {}

    /** One rater's ranking of one task: groups of candidate indexes, best first. */
    public record Rated(String task, String rater, List<List<Integer>> order) {}

    /** @param value NaN when nothing could be compared */
    public record Score(double value, long comparisons) {}

    /** Candidate index -> mid-rank, for the candidates the ranking places. */
    public static Map<Integer, Double> ranks(List<List<Integer>> order) {
        Map<Integer, Double> ranks = new HashMap<>();
        int position = 1;
        for (List<Integer> group : order) {
            double mid = position + (group.size() - 1) / 2.0;
            for (int c : group) ranks.put(c, mid);
            position += group.size();
        }
        return ranks;
    }

    public static Score pairwise(List<Rated> rankings) {
        long agreed = 0, compared = 0;
        for (List<Rated> task : byTask(rankings).values()) {
            for (int a = 0; a < task.size(); a++) {
                for (int b = a + 1; b < task.size(); b++) {
                    long[] ab = compare(
                            ranks(task.get(a).order()), ranks(task.get(b).order()));
                    agreed += ab[0];
                    compared += ab[1];
                }
            }
        }
        return new Score(compared == 0 ? Double.NaN : (double) agreed / compared, compared);
    }

    /**
     * Pairwise agreement between two groups of rankers (say the rule judge and the reward model): each ranking of
     * {@code a} against each ranking of {@code b} on the same task, never two of one group against each other.
     */
    public static Score between(List<Rated> a, List<Rated> b) {
        Map<String, List<Rated>> bs = byTask(b);
        long agreed = 0, compared = 0;
        for (Map.Entry<String, List<Rated>> task : byTask(a).entrySet()) {
            for (Rated x : task.getValue()) {
                for (Rated y : bs.getOrDefault(task.getKey(), List.of())) {
                    long[] ab = compare(ranks(x.order()), ranks(y.order()));
                    agreed += ab[0];
                    compared += ab[1];
                }
            }
        }
        return new Score(compared == 0 ? Double.NaN : (double) agreed / compared, compared);
    }

    /** Pairwise agreement of two rank maps: {agreed, compared} over the candidate pairs both place. */
    public static long[] compare(Map<Integer, Double> x, Map<Integer, Double> y) {
        List<Integer> both = new ArrayList<>();
        for (int c : x.keySet()) if (y.containsKey(c)) both.add(c);
        long agreed = 0, compared = 0;
        for (int i = 0; i < both.size(); i++) {
            for (int j = i + 1; j < both.size(); j++) {
                int ci = both.get(i), cj = both.get(j);
                compared++;
                if (Double.compare(x.get(ci), x.get(cj)) == Double.compare(y.get(ci), y.get(cj))) agreed++;
            }
        }
        return new long[] {agreed, compared};
    }

    public static Score alpha(List<Rated> rankings) {
        // Units: (task, candidate) -> the ranks raters gave it; only units with two or more values are pairable.
        List<double[]> units = new ArrayList<>();
        for (List<Rated> task : byTask(rankings).values()) {
            Map<Integer, List<Double>> values = new LinkedHashMap<>();
            for (Rated r : task)
                ranks(r.order())
                        .forEach((c, rank) -> values.computeIfAbsent(c, x -> new ArrayList<>())
                                .add(rank));
            for (List<Double> v : values.values()) {
                if (v.size() >= 2)
                    units.add(v.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        long n = 0;
        double observed = 0;
        for (double[] u : units) {
            n += u.length;
            double within = 0;
            for (int i = 0; i < u.length; i++) for (int j = 0; j < u.length; j++) if (i != j) within += sq(u[i] - u[j]);
            observed += within / (u.length - 1);
        }
        if (n < 2) return new Score(Double.NaN, 0);
        // Expected disagreement over all pairable values: sum over ordered pairs of (a-b)^2 = 2n*sum(x^2) - 2(sum x)^2.
        double sum = 0, sumSq = 0;
        for (double[] u : units)
            for (double x : u) {
                sum += x;
                sumSq += x * x;
            }
        double expected = (2 * n * sumSq - 2 * sum * sum) / ((double) n * (n - 1));
        double dObserved = observed / n;
        if (expected == 0) return new Score(dObserved == 0 ? 1.0 : Double.NaN, n);
        return new Score(1 - dObserved / expected, n);
    }

    private static Map<String, List<Rated>> byTask(List<Rated> rankings) {
        Map<String, List<Rated>> out = new LinkedHashMap<>();
        for (Rated r : rankings)
            out.computeIfAbsent(r.task(), t -> new ArrayList<>()).add(r);
        return out;
    }

    private static double sq(double x) {
        return x * x;
    }
}
