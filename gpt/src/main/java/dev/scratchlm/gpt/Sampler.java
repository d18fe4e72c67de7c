package dev.scratchlm.gpt;

import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
            if (!(temperature >= 0f) || Float.isInfinite(temperature))
                throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
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
    private float[] scaled = new float[0];

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
        boolean greedy = s.temperature() == 0f;
        int k = s.topK() == 0 ? v : Math.min(s.topK(), v);
        // Neither top-k nor top-p: the draw needs no ranking at all (a sort of the vocabulary per token
        // was the sampler's main cost), only the alternatives do.
        boolean whole = !greedy && k == v && s.topP() >= 1f;
        int alternatives = Math.min(s.alternatives(), v);
        // Top-p alone: rank only as far as the nucleus reaches (a trained model's usually lies in its first
        // few dozen tokens), widening when it does not.
        boolean nucleusOnly = !greedy && k == v && s.topP() < 1f;
        int needed = Math.max(greedy ? 1 : whole ? 0 : nucleusOnly ? Math.min(v, 64) : k, alternatives);
        if (needed > 0) needed = rank(logits, v, needed);

        int chosen;
        if (greedy) {
            chosen = (int) order[0];
        } else if (whole) {
            chosen = drawInIdOrder(logits, v);
        } else {
            double top = logits[(int) order[0]];
            double sum = 0;
            if (nucleusOnly) {
                k = nucleus(logits, v, needed, top);
                for (int r = 0; r < k; r++) sum += weights[r];
            } else {
                for (int r = 0; r < k; r++) {
                    weights[r] = Math.exp((logits[(int) order[r]] - top) / s.temperature());
                    sum += weights[r];
                }
            }
            if (s.topP() < 1f && !nucleusOnly) {
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
        List<TokenChoice.Alternative> alts = List.of();
        if (alternatives > 0) {
            TokenChoice.Alternative[] a = new TokenChoice.Alternative[alternatives];
            for (int r = 0; r < alternatives; r++) {
                int id = (int) order[r];
                float lp = (float) (logits[id] - logZ);
                a[r] = new TokenChoice.Alternative(id, (float) Math.exp(lp), lp);
            }
            alts = List.of(a);
        }
        float lp = (float) (logits[chosen] - logZ);
        return new TokenChoice(chosen, (float) Math.exp(lp), lp, alts);
    }

    /**
     * Puts the {@code needed} best token ids, by logit descending (ties: lower id first), into order[0, needed):
     * key = order-preserving float bits, then the id. With few ranks needed a partial selection replaces the
     * full sort. Returns how many ranks are in order: {@code needed}, or v after a full sort.
     */
    private int rank(float[] logits, int v, int needed) {
        for (int i = 0; i < v; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            order[i] = ((long) ~bits << 32) | i; // ~bits: ascending order gives descending logits
        }
        if (needed < v / 4) {
            keepSmallestSorted(order, v, needed);
            return needed;
        }
        Arrays.sort(order, 0, v);
        return v;
    }

    /**
     * Top-p over the whole vocabulary: the number of most likely tokens whose tempered probability reaches
     * topP, with their weights in weights[0, k); order[0, ranked) is sorted and is extended as needed.
     */
    private int nucleus(float[] logits, int v, int ranked, double top) {
        double t = s.temperature(), total = 0;
        for (int r = 0; r < ranked; r++) {
            weights[r] = Math.exp((logits[(int) order[r]] - top) / t);
            total += weights[r];
        }
        if (ranked < v) {
            total = 0;
            for (int i = 0; i < v; i++) total += Math.exp((logits[i] - top) / t);
        }
        double target = s.topP() * total;
        while (true) {
            double cum = 0;
            for (int r = 0; r < ranked; r++) {
                cum += weights[r];
                if (cum >= target) return r + 1;
            }
            if (ranked == v) return v; // rounding kept the sum just below the target: everything
            // Far from the target (a flat distribution): sorting everything beats widening step by step.
            ranked = rank(logits, v, cum * 2 >= target ? Math.min(v, ranked * 4) : v);
            for (int r = 0; r < ranked; r++) weights[r] = Math.exp((logits[(int) order[r]] - top) / t);
        }
    }

    /**
     * A draw from the whole tempered distribution, accumulating in token-id order. The weights come from
     * {@link MathKernels#exp}, vectorized: the same bits in every JIT stage, so a seed gives the same tokens.
     */
    private int drawInIdOrder(float[] logits, int v) {
        if (scaled.length < v) scaled = new float[v];
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x);
        float invT = 1f / s.temperature();
        int i = 0;
        for (int bound = Kernels.S.loopBound(v); i < bound; i += Kernels.L) {
            MathKernels.exp(FloatVector.fromArray(Kernels.S, logits, i).sub(max).mul(invT))
                    .intoArray(scaled, i);
        }
        for (; i < v; i++) scaled[i] = MathKernels.exp((logits[i] - max) * invT);
        double sum = 0;
        for (i = 0; i < v; i++) sum += scaled[i];
        double u = rng.nextDouble() * sum, acc = 0;
        for (i = 0; i < v; i++) {
            acc += scaled[i];
            if (u < acc) return i;
        }
        // Rounding left u at or past the last sum: the last token with any weight.
        for (i = v - 1; i > 0; i--) if (scaled[i] > 0) return i;
        return 0;
    }

    /**
     * log(sum(exp(logits))), vectorized with {@link MathKernels#exp} (a Math.exp per entry costs ~40 us at a
     * 4096 vocabulary; SVML's exp would give other bits once the JIT has compiled this).
     */
    static double logSumExp(float[] logits) {
        var sp = Kernels.S;
        int v = logits.length, bound = sp.loopBound(v), i = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            if (Float.isNaN(x)) throw new IllegalArgumentException("logits contain NaN");
            max = Math.max(max, x);
        }
        FloatVector acc = FloatVector.zero(sp);
        for (; i < bound; i += sp.length())
            acc = acc.add(MathKernels.exp(FloatVector.fromArray(sp, logits, i).sub(max)));
        double z = acc.reduceLanes(VectorOperators.ADD);
        for (; i < v; i++) z += MathKernels.exp(logits[i] - max);
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
