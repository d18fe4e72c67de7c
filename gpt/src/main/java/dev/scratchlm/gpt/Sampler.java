package dev.scratchlm.gpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Picks the next token from logits: temperature, then top-k, then top-p (nucleus), then a draw from
 * the renormalized distribution with a seeded generator (same seed and logits, same tokens).
 * Temperature 0 is greedy. Not thread-safe: one sampler per generation.
 */
public final class Sampler {

    /**
     * @param temperature  divides the logits; 0 means greedy (argmax)
     * @param topK         keep only the k most likely tokens (0 = all)
     * @param topP         keep the smallest set of most likely tokens whose probability reaches p (1 = all)
     * @param alternatives how many top alternatives to report per token
     */
    public record Settings(float temperature, int topK, float topP, int alternatives) {
        public Settings {
            if (!(temperature >= 0f) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
            if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
            if (alternatives < 0) throw new IllegalArgumentException("alternatives must be >= 0, got " + alternatives);
        }

        public static Settings greedy() {
            return new Settings(0f, 0, 1f, 5);
        }
    }

    private final Settings s;
    private final Rng rng;
    private long[] order = new long[0];
    private double[] weights = new double[0];

    public Sampler(Settings settings, long seed) {
        this.s = settings;
        this.rng = new Rng(seed);
    }

    public Settings settings() {
        return s;
    }

    public Rng rng() {
        return rng;
    }

    /** Chooses a token from {@code logits} (length = vocabulary size). */
    public TokenChoice sample(float[] logits) {
        int v = logits.length;
        if (v == 0) throw new IllegalArgumentException("empty logits");
        if (order.length < v) {
            order = new long[v];
            weights = new double[v];
        }
        double logZ = logSumExp(logits);

        // Token ids by logit, descending: key = order-preserving float bits, then the id. Only the
        // first `needed` ranks are used, so with top-k a partial selection replaces the full sort.
        for (int i = 0; i < v; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            order[i] = ((long) ~bits << 32) | i; // ~bits: ascending order gives descending logits
        }
        int needed = s.temperature() == 0f ? 1 : s.topK() == 0 ? v : Math.min(s.topK(), v);
        needed = Math.max(needed, Math.min(s.alternatives(), v));
        if (needed < v / 4) {
            keepSmallestSorted(order, v, needed);
        } else {
            Arrays.sort(order, 0, v);
        }

        int chosen;
        if (s.temperature() == 0f) {
            chosen = (int) order[0];
        } else {
            int k = s.topK() == 0 ? v : Math.min(s.topK(), v);
            double top = logits[(int) order[0]];
            double sum = 0;
            for (int r = 0; r < k; r++) {
                weights[r] = Math.exp((logits[(int) order[r]] - top) / s.temperature());
                sum += weights[r];
            }
            if (s.topP() < 1f) {
                double cum = 0;
                int keep = k;
                for (int r = 0; r < k; r++) {
                    cum += weights[r] / sum;
                    if (cum >= s.topP()) {
                        keep = r + 1;
                        break;
                    }
                }
                k = keep;
                sum = 0;
                for (int r = 0; r < k; r++) sum += weights[r];
            }
            double u = rng.nextDouble() * sum, acc = 0;
            chosen = (int) order[k - 1];
            for (int r = 0; r < k; r++) {
                acc += weights[r];
                if (u < acc) {
                    chosen = (int) order[r];
                    break;
                }
            }
        }
        int n = Math.min(s.alternatives(), v);
        List<TokenChoice.Alternative> alts = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int id = (int) order[r];
            float lp = (float) (logits[id] - logZ);
            alts.add(new TokenChoice.Alternative(id, (float) Math.exp(lp), lp));
        }
        float lp = (float) (logits[chosen] - logZ);
        return new TokenChoice(chosen, (float) Math.exp(lp), lp, List.copyOf(alts));
    }

    /** log(sum(exp(logits))), vectorized (a Math.exp per entry costs ~40 us at a 4096 vocabulary). */
    static double logSumExp(float[] logits) {
        var sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        int v = logits.length, bound = sp.loopBound(v), i = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            if (Float.isNaN(x)) throw new IllegalArgumentException("logits contain NaN");
            max = Math.max(max, x);
        }
        var acc = jdk.incubator.vector.FloatVector.zero(sp);
        for (; i < bound; i += sp.length()) {
            acc = acc.add(jdk.incubator.vector.FloatVector.fromArray(sp, logits, i).sub(max)
                    .lanewise(jdk.incubator.vector.VectorOperators.EXP));
        }
        double z = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < v; i++) z += Math.exp(logits[i] - max);
        return max + Math.log(z);
    }

    /**
     * Moves the k smallest keys of a[0, n) into a[0, k), sorted, in one pass: a key is compared with
     * the worst one kept and only the few better ones are inserted (for a 4096-token vocabulary and
     * k = 40 this beat a quickselect by several times).
     */
    static void keepSmallestSorted(long[] a, int n, int k) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            long key = a[i];
            if (kept == k && key >= a[k - 1]) continue;
            int lo = 0, hi = kept;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (a[mid] < key) lo = mid + 1;
                else hi = mid;
            }
            // a[0, kept) are the best so far; slots at or past i are no longer read, so shifting into them is safe.
            int move = Math.min(kept, k - 1) - lo;
            if (move > 0) System.arraycopy(a, lo, a, lo + 1, move);
            a[lo] = key;
            if (kept < k) kept++;
        }
    }
}
