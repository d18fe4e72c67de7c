package dev.scratchlm.gpt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Incremental decoding with a key/value cache: a prompt is prefilled once, then each new token costs
 * one row through the network, never recomputing the prefix. Several independent sequences live in
 * slots and one {@link #decode} call advances any subset of them together (each at its own
 * position): every weight matrix is read once per step for all of them ({@link DecodeKernels#matmul}),
 * so 8 sequences cost far less than 8 single steps. Rows can be split over worker threads.
 *
 * <p>Decodes with a snapshot of the {@link Gpt}'s weights taken at construction ({@link DecodeWeights}:
 * transposed heap copies); after training the model further, call {@link #refreshWeights()}. Not
 * thread-safe: serve concurrent requests by batching them into {@link #decode} calls from one thread.
 */
public final class KvCacheDecoder {
    private final GptConfig cfg;
    private final Gpt model;
    private DecodeWeights w;
    private final int slots, maxRows, padded;
    /**
     * The cache, one contiguous block per (layer, slot, head), positions padded to whole vectors. Keys in
     * chunks of L positions, each chunk [channel][L]: a head's scores over L positions are then vector FMAs
     * over contiguous memory instead of one horizontal sum per position. Values as [position][channel].
     */
    private final float[] keys, values;
    private final float[] logits;
    private final Lane[] lanes;
    private final WorkerPool pool;
    private final int[] lengths;
    private final int[] rowSlot, rowPos;
    private int[] runTokens;
    private int runRows;
    private final WorkerPool.Task decodeTask = this::decodeLane;

    /** One thread's scratch rows. */
    private static final class Lane {
        final float[] x, ln, qkv, atty, fch, scores;

        Lane(GptConfig cfg, int rows, int padded) {
            int c = cfg.nEmbd();
            x = new float[rows * c];
            ln = new float[rows * c];
            qkv = new float[rows * 3 * c];
            atty = new float[rows * c];
            fch = new float[rows * 4 * c];
            scores = new float[padded];
        }
    }

    /** A cache for {@code maxSequences} concurrent sequences of up to blockSize tokens each. */
    public KvCacheDecoder(Gpt model, int maxSequences) {
        this(model, maxSequences, GptRuntime.threads());
    }

    /** As above with an explicit number of decoding threads (rows of a step are split over them). */
    public KvCacheDecoder(Gpt model, int maxSequences, int threads) {
        if (maxSequences <= 0) throw new IllegalArgumentException("maxSequences must be > 0, got " + maxSequences);
        if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
        this.cfg = model.config();
        this.model = model;
        this.slots = maxSequences;
        this.maxRows = Math.max(maxSequences, cfg.blockSize());
        this.padded = roundUp(cfg.blockSize(), DecodeKernels.L);
        long cache = (long) cfg.nLayer() * slots * cfg.nEmbd() * padded;
        if (cache > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache for " + slots + " sequences of " + cfg + " exceeds one array");
        }
        this.w = new DecodeWeights(model);
        keys = new float[(int) cache];
        values = new float[(int) cache];
        logits = new float[maxRows * cfg.vocabSize()];
        int n = Math.min(threads, maxSequences);
        lanes = new Lane[n];
        // Lane 0 also prefills (up to a whole context); the others only take their share of a decode step.
        for (int i = 0; i < n; i++) lanes[i] = new Lane(cfg, i == 0 ? maxRows : (slots + n - 1) / n, padded);
        pool = new WorkerPool(n);
        WorkerPool wp = pool;
        java.lang.ref.Cleaner.create().register(this, wp::shutdown);
        lengths = new int[slots];
        rowSlot = new int[maxRows];
        rowPos = new int[maxRows];
    }

    static long bufferFloats(GptConfig cfg, int maxSequences) {
        long c = cfg.nEmbd(), rows = Math.max(maxSequences, cfg.blockSize());
        int lanes = Math.min(GptRuntime.threads(), maxSequences);
        long padded = roundUp(cfg.blockSize(), DecodeKernels.L);
        return DecodeWeights.floats(cfg) + 2L * cfg.nLayer() * maxSequences * c * padded
                + lanes * (rows * c * 10 + padded) + rows * cfg.vocabSize();
    }

    public int maxSequences() {
        return slots;
    }

    public GptConfig config() {
        return cfg;
    }

    /** Takes a new snapshot of the model's weights (after it was trained further); cached sequences stay. */
    public void refreshWeights() {
        w = new DecodeWeights(model);
    }

    /** Tokens currently cached for {@code slot}. */
    public int length(int slot) {
        checkSlot(slot);
        return lengths[slot];
    }

    /** Forgets a sequence so its slot can start a new one. */
    public void reset(int slot) {
        checkSlot(slot);
        lengths[slot] = 0;
    }

    /**
     * Appends {@code tokens} to the sequence in {@code slot} in one pass and returns the logits after
     * the last of them (the distribution of the next token).
     */
    public float[] prefill(int slot, int[] tokens) {
        checkSlot(slot);
        int n = tokens.length;
        if (n == 0) throw new IllegalArgumentException("prefill needs at least one token");
        checkRoom(slot, n);
        for (int i = 0; i < n; i++) {
            Embedding.checkToken(tokens[i], cfg.vocabSize());
            rowSlot[i] = slot;
            rowPos[i] = lengths[slot] + i;
        }
        // One thread: a row attends to the keys the rows before it wrote in the same layer.
        runRows(lanes[0], tokens, 0, n, false);
        lengths[slot] += n;
        float[] out = new float[cfg.vocabSize()];
        System.arraycopy(logits, 0, out, 0, out.length);
        return out;
    }

    /**
     * Advances several sequences by one token each: {@code tokens[i]} is appended to {@code slots[i]}
     * (slots distinct), and {@code out[i]} (length vocabSize; allocated when null or short) receives the
     * logits for that sequence's next token. Returns {@code out}.
     */
    public float[][] decode(int[] slotIds, int[] tokens, float[][] out) {
        int n = slotIds.length;
        if (tokens.length != n) throw new IllegalArgumentException("slots and tokens differ in length: " + n + " vs " + tokens.length);
        if (n == 0 || n > slots) throw new IllegalArgumentException("decode takes 1.." + slots + " sequences, got " + n);
        for (int i = 0; i < n; i++) {
            int s = slotIds[i];
            checkSlot(s);
            Embedding.checkToken(tokens[i], cfg.vocabSize());
            for (int j = 0; j < i; j++) {
                if (slotIds[j] == s) throw new IllegalArgumentException("slot " + s + " appears twice in one decode step");
            }
            checkRoom(s, 1);
            rowSlot[i] = s;
            rowPos[i] = lengths[s];
        }
        runTokens = tokens;
        runRows = n;
        // Rows are independent sequences here, so they may split over the threads; a handful of rows is
        // cheaper on one thread than split (each thread would read every weight matrix).
        if (lanes.length == 1 || n < 2 * lanes.length) runRows(lanes[0], tokens, 0, n, true);
        else pool.run(decodeTask);
        runTokens = null;
        int v = cfg.vocabSize();
        if (out == null || out.length < n) out = new float[n][];
        for (int i = 0; i < n; i++) {
            if (out[i] == null || out[i].length < v) out[i] = new float[v];
            System.arraycopy(logits, i * v, out[i], 0, v);
            lengths[slotIds[i]]++;
        }
        return out;
    }

    /** One token for one sequence: {@code decode(new int[]{slot}, new int[]{token}, null)[0]}. */
    public float[] decode(int slot, int token) {
        return decode(new int[] {slot}, new int[] {token}, null)[0];
    }

    private void decodeLane(int lane) {
        int n = runRows, per = (n + lanes.length - 1) / lanes.length;
        int r0 = Math.min(n, lane * per), r1 = Math.min(n, r0 + per);
        if (r0 < r1) runRows(lanes[lane], runTokens, r0, r1, true);
    }

    /**
     * Rows r0..r1 (slot rowSlot[r], position rowPos[r], token tokens[r]) through the network on one
     * lane. Logits go to logits row r for every row ({@code everyRow}), or to row 0 for the last only.
     */
    private void runRows(Lane ln, int[] tokens, int r0, int r1, boolean everyRow) {
        DecodeWeights w = this.w;
        int n = r1 - r0, c = cfg.nEmbd(), v = cfg.vocabSize();
        for (int i = 0; i < n; i++) {
            int r = r0 + i;
            DecodeKernels.add(w.wte, tokens[r] * c, w.wpe, rowPos[r] * c, ln.x, i * c, c);
        }
        for (int l = 0; l < cfg.nLayer(); l++) {
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln1W[l], w.ln1B[l], c);
            DecodeKernels.matmul(ln.qkv, 0, 3 * c, ln.ln, 0, c, w.qkvW[l], w.qkvB[l], n, c, 3 * c, false);
            for (int i = 0; i < n; i++) store(ln, l, i, r0 + i);
            for (int i = 0; i < n; i++) attend(ln, l, i, r0 + i);
            // Residual connections are fused: the projections add onto x.
            DecodeKernels.matmul(ln.x, 0, c, ln.atty, 0, c, w.projW[l], w.projB[l], n, c, c, true);
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln2W[l], w.ln2B[l], c);
            DecodeKernels.matmul(ln.fch, 0, 4 * c, ln.ln, 0, c, w.fcW[l], w.fcB[l], n, c, 4 * c, false);
            DecodeKernels.gelu(ln.fch, 0, n * 4 * c);
            DecodeKernels.matmul(ln.x, 0, c, ln.fch, 0, 4 * c, w.fcProjW[l], w.fcProjB[l], n, 4 * c, c, true);
        }
        // Final LayerNorm and the tied LM head only for the rows whose logits are wanted.
        if (everyRow) {
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.lnfW, w.lnfB, c);
            DecodeKernels.matmul(logits, r0 * v, v, ln.ln, 0, c, w.head, null, n, c, v, false);
        } else {
            DecodeKernels.layerNorm(ln.ln, 0, ln.x, (n - 1) * c, w.lnfW, w.lnfB, c);
            DecodeKernels.matmul(logits, 0, v, ln.ln, 0, c, w.head, null, 1, c, v, false);
        }
    }

    /** Appends lane row i's key and value to its sequence's cache, at its position, in each head's block. */
    private void store(Lane ln, int l, int i, int r) {
        int c = cfg.nEmbd(), hs = cfg.headSize(), L = DecodeKernels.L, pos = rowPos[r];
        int kq = i * 3 * c + c, vq = kq + c, block = hs * padded;
        int base = (l * slots + rowSlot[r]) * c * padded, chunk = pos / L * hs * L + pos % L;
        for (int h = 0; h < cfg.nHead(); h++, base += block, kq += hs, vq += hs) {
            for (int d = 0; d < hs; d++) keys[base + chunk + d * L] = ln.qkv[kq + d];
            System.arraycopy(ln.qkv, vq, values, base + pos * hs, hs);
        }
    }

    /**
     * Lane row i (global row r) attends over its sequence's cached keys and values, positions
     * 0..rowPos[r]: per head, scores as vectors over positions, a softmax, then y = sum of p_j v_j.
     * Each loop keeps four independent FMA chains so the FMA latency does not set the pace.
     */
    private void attend(Lane ln, int l, int i, int r) {
        var S = DecodeKernels.S;
        int c = cfg.nEmbd(), nh = cfg.nHead(), hs = cfg.headSize(), len = rowPos[r] + 1, L = DecodeKernels.L;
        int lenUp = roundUp(len, L), block = hs * padded, chunk = hs * L;
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] q = ln.qkv, sc = ln.scores, k = keys, val = values, y = ln.atty;
        int base = (l * slots + rowSlot[r]) * c * padded;
        for (int h = 0; h < nh; h++, base += block) {
            int qo = i * 3 * c + h * hs;
            // Scores, two chunks of L positions at a time; a chunk's keys are (hs, L) contiguous.
            int p = 0;
            for (; p + 2 * L <= lenUp; p += 2 * L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
                int k0 = base + p / L * chunk, k1 = k0 + chunk, d = 0;
                for (; d + 1 < hs; d += 2) {
                    FloatVector qd = FloatVector.broadcast(S, q[qo + d]), qe = FloatVector.broadcast(S, q[qo + d + 1]);
                    a0 = FloatVector.fromArray(S, k, k0 + d * L).fma(qd, a0);
                    b0 = FloatVector.fromArray(S, k, k1 + d * L).fma(qd, b0);
                    a1 = FloatVector.fromArray(S, k, k0 + d * L + L).fma(qe, a1);
                    b1 = FloatVector.fromArray(S, k, k1 + d * L + L).fma(qe, b1);
                }
                if (d < hs) {
                    FloatVector qd = FloatVector.broadcast(S, q[qo + d]);
                    a0 = FloatVector.fromArray(S, k, k0 + d * L).fma(qd, a0);
                    b0 = FloatVector.fromArray(S, k, k1 + d * L).fma(qd, b0);
                }
                a0.add(a1).mul(scale).intoArray(sc, p);
                b0.add(b1).mul(scale).intoArray(sc, p + L);
            }
            if (p < lenUp) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                int k0 = base + p / L * chunk, d = 0;
                for (; d + 1 < hs; d += 2) {
                    a0 = FloatVector.fromArray(S, k, k0 + d * L).fma(FloatVector.broadcast(S, q[qo + d]), a0);
                    a1 = FloatVector.fromArray(S, k, k0 + d * L + L).fma(FloatVector.broadcast(S, q[qo + d + 1]), a1);
                }
                if (d < hs) a0 = FloatVector.fromArray(S, k, k0 + d * L).fma(FloatVector.broadcast(S, q[qo + d]), a0);
                a0.add(a1).mul(scale).intoArray(sc, p);
            }
            // Positions past this one hold older data: out of the softmax.
            for (int j = len; j < lenUp; j++) sc[j] = Float.NEGATIVE_INFINITY;
            FloatVector mx = FloatVector.fromArray(S, sc, 0);
            for (p = L; p < lenUp; p += L) mx = mx.max(FloatVector.fromArray(S, sc, p));
            float max = mx.reduceLanes(VectorOperators.MAX);
            for (p = 0; p < lenUp; p += L) MathKernels.exp(FloatVector.fromArray(S, sc, p).sub(max)).intoArray(sc, p);
            for (int j = len; j < lenUp; j++) sc[j] = 0f;
            FloatVector sum = FloatVector.fromArray(S, sc, 0);
            for (p = L; p < lenUp; p += L) sum = sum.add(FloatVector.fromArray(S, sc, p));
            float inv = 1f / sum.reduceLanes(VectorOperators.ADD);
            // y = sum_j p_j v_j over the head's (position, hs) values, two vectors of channels at a time.
            int yo = i * c + h * hs, d = 0;
            for (; d + 2 * L <= hs; d += 2 * L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
                int j = 0, vo = base + d;
                for (; j + 1 < len; j += 2, vo += 2 * hs) {
                    FloatVector pj = FloatVector.broadcast(S, sc[j]), pk = FloatVector.broadcast(S, sc[j + 1]);
                    a0 = FloatVector.fromArray(S, val, vo).fma(pj, a0);
                    b0 = FloatVector.fromArray(S, val, vo + L).fma(pj, b0);
                    a1 = FloatVector.fromArray(S, val, vo + hs).fma(pk, a1);
                    b1 = FloatVector.fromArray(S, val, vo + hs + L).fma(pk, b1);
                }
                if (j < len) {
                    FloatVector pj = FloatVector.broadcast(S, sc[j]);
                    a0 = FloatVector.fromArray(S, val, vo).fma(pj, a0);
                    b0 = FloatVector.fromArray(S, val, vo + L).fma(pj, b0);
                }
                a0.add(a1).mul(inv).intoArray(y, yo + d);
                b0.add(b1).mul(inv).intoArray(y, yo + d + L);
            }
            for (; d + L <= hs; d += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                int j = 0, vo = base + d;
                for (; j + 1 < len; j += 2, vo += 2 * hs) {
                    a0 = FloatVector.fromArray(S, val, vo).fma(FloatVector.broadcast(S, sc[j]), a0);
                    a1 = FloatVector.fromArray(S, val, vo + hs).fma(FloatVector.broadcast(S, sc[j + 1]), a1);
                }
                if (j < len) a0 = FloatVector.fromArray(S, val, vo).fma(FloatVector.broadcast(S, sc[j]), a0);
                a0.add(a1).mul(inv).intoArray(y, yo + d);
            }
            for (; d < hs; d++) {
                float acc = 0;
                for (int j = 0; j < len; j++) acc += sc[j] * val[base + j * hs + d];
                y[yo + d] = acc * inv;
            }
        }
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) throw new IllegalArgumentException("slot " + slot + " outside [0, " + slots + ")");
    }

    private void checkRoom(int slot, int n) {
        if (lengths[slot] + n > cfg.blockSize()) {
            throw new IllegalStateException("sequence in slot " + slot + " would reach " + (lengths[slot] + n)
                    + " tokens, past the context of " + cfg.blockSize() + "; reset it or start from a shorter window");
        }
    }
}
