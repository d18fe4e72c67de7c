package dev.scratchlm.gpt;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole examples (token ids plus a per-token loss mask) packed into rows of t positions for fine-tuning.
 *
 * <p>An example of n tokens fills n - 1 positions (inputs ids[0..n-2], targets ids[1..n-1], the target's mask
 * bit deciding whether it counts); it is never cut in two, so it must have at most t + 1 tokens (longer ones are
 * the caller's to refuse). Each epoch shuffles the examples with the seed, packs them first-fit into rows (an
 * example goes into the first row that still has room), then shuffles the rows. Positions restart at 0 per
 * example, and {@link Gpt#forwardPacked} keeps attention inside each example. A row's unused tail is padding:
 * mask 0, its own example of pad tokens.
 *
 * <p>The position (epoch, row) is one long, and an epoch's packing is a function of the seed and the epoch, so a
 * resumed job continues with exactly the rows the uninterrupted one would have seen.
 */
public final class PackedExamples implements PackedBatchSource {
    private static final int[] NONE = {};
    private final int[][] ids;
    private final boolean[][] lossMask;
    private final int t, padToken;
    private final long seed;
    private final boolean shuffle;
    private int epoch = -1;
    private int[][] rows;
    private int row;
    private long tokensServed, examplesServed;
    private int lastRealTokens;

    /**
     * @param shuffle false packs the examples in their given order once and serves those rows once, then rows of
     *                padding only (held-out evaluation: {@code seek(0)}, then ceil(rows / b) batches see every
     *                example exactly once)
     */
    public PackedExamples(List<int[]> ids, List<boolean[]> lossMask, int t, int padToken, long seed, boolean shuffle) {
        if (ids.isEmpty()) throw new IllegalArgumentException("no examples to pack");
        if (ids.size() != lossMask.size()) throw new IllegalArgumentException("one loss mask per example");
        this.ids = ids.toArray(new int[0][]);
        this.lossMask = lossMask.toArray(new boolean[0][]);
        for (int i = 0; i < this.ids.length; i++) {
            int n = this.ids[i].length;
            if (n < 2)
                throw new IllegalArgumentException("example " + i + " has " + n + " tokens: at least 2 are needed");
            if (n - 1 > t) {
                throw new IllegalArgumentException("example " + i + " has " + n + " tokens, more than a row of " + t
                        + " positions holds (" + (t + 1) + "): refuse it before packing, never cut it");
            }
            if (this.lossMask[i].length != n)
                throw new IllegalArgumentException("example " + i + ": mask length differs");
        }
        this.t = t;
        this.padToken = padToken;
        this.seed = seed;
        this.shuffle = shuffle;
        seek(0);
    }

    /** Most tokens an example may have to fit one row of t positions. */
    public static int maxTokens(int t) {
        return t + 1;
    }

    public int examples() {
        return ids.length;
    }

    /** Rows in the current epoch's packing. */
    public int rowsPerEpoch() {
        return rows.length;
    }

    public int epoch() {
        return epoch;
    }

    /** Share of the current packing's positions that hold example tokens (the rest is padding). */
    public double fill() {
        long used = 0;
        for (int[] r : rows) for (int e : r) used += ids[e].length - 1;
        return used / (double) ((long) rows.length * t);
    }

    /** Example tokens (positions that are not padding) served so far, and in the last batch. */
    public long tokensServed() {
        return tokensServed;
    }

    public int lastBatchTokens() {
        return lastRealTokens;
    }

    public long examplesServed() {
        return examplesServed;
    }

    @Override
    public void next(int[] inputs, int[] targets, float[] mask, int[] positions, int b, int t) {
        if (t != this.t) throw new IllegalArgumentException("packed for rows of " + this.t + ", asked for " + t);
        int real = 0;
        for (int bi = 0; bi < b; bi++) {
            int off = bi * t, p = 0;
            if (row == rows.length) {
                if (shuffle) pack(epoch + 1);
            }
            for (int e : row < rows.length ? rows[row] : NONE) {
                int[] x = ids[e];
                boolean[] m = lossMask[e];
                for (int j = 0; j < x.length - 1; j++, p++) {
                    inputs[off + p] = x[j];
                    targets[off + p] = x[j + 1];
                    mask[off + p] = m[j + 1] ? 1f : 0f;
                    positions[off + p] = j;
                }
                examplesServed++;
            }
            real += p;
            for (int j = 0; p < t; j++, p++) {
                inputs[off + p] = padToken;
                targets[off + p] = padToken;
                mask[off + p] = 0f;
                positions[off + p] = j;
            }
            if (row < rows.length) row++;
        }
        tokensServed += real;
        lastRealTokens = real;
    }

    /** The data cursor a checkpoint stores: epoch in the high half, next row in the low half. */
    public long position() {
        return ((long) epoch << 32) | row;
    }

    public void seek(long position) {
        int e = (int) (position >>> 32), r = (int) position;
        pack(e);
        if (r < 0 || r > rows.length)
            throw new IllegalArgumentException("row " + r + " outside epoch " + e + "'s " + rows.length + " rows");
        row = r;
    }

    private void pack(int e) {
        if (e == epoch && rows != null) {
            row = 0;
            return;
        }
        int n = ids.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Rng rng = new Rng(seed * 0x9E3779B97F4A7C15L + (shuffle ? e : 0));
        if (shuffle) shuffle(order, rng);
        List<List<Integer>> bins = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int ex : order) {
            int need = ids[ex].length - 1, at = -1;
            for (int r = 0; r < bins.size(); r++) {
                if (free.get(r) >= need) {
                    at = r;
                    break;
                }
            }
            if (at < 0) {
                bins.add(new ArrayList<>());
                free.add(t);
                at = bins.size() - 1;
            }
            bins.get(at).add(ex);
            free.set(at, free.get(at) - need);
        }
        int[][] packed = new int[bins.size()][];
        for (int r = 0; r < packed.length; r++)
            packed[r] = bins.get(r).stream().mapToInt(Integer::intValue).toArray();
        if (shuffle) shuffle(packed, rng);
        rows = packed;
        epoch = e;
        row = 0;
    }

    private static void shuffle(int[] a, Rng rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    private static void shuffle(int[][] a, Rng rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    @Override
    public String toString() {
        return "PackedExamples[" + ids.length + " examples, " + rows.length + " rows of " + t + ", fill "
                + String.format("%.3f", fill()) + ", epoch " + epoch + " row " + row + "]";
    }
}
