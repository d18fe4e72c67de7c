package dev.scratchlm.gpt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Incremental decoding with a key/value cache: a prompt is prefilled once, then each new token costs
 * one row through the network, never recomputing the prefix. Several independent sequences live in
 * slots and one {@link #decode} call advances any subset of them together (each at its own
 * position): every weight matrix is read once per step for all of them ({@link DecodeKernels#matmul}),
 * so 8 sequences cost far less than 8 single steps. With more than one thread each product is split by
 * output columns (worth it for a model whose weights stream from memory; a small one is faster on one).
 *
 * <p>Decodes with a snapshot of the {@link Gpt}'s weights taken at construction ({@link DecodeWeights}:
 * packed heap copies); after training the model further, call {@link #refreshWeights()}. Not
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
    // A prefill's token rows, and the last row of each of its prompts (the rows whose logits it computes).
    private final int[] lastRows, prefillTokens;
    // A pass split over the threads: what the lanes run next (see splitLane).
    private static final int QKV = 0, ATTEND = 1, PROJ = 2, FC = 3, FC_PROJ = 4, HEAD = 5;
    private int phase, phaseLayer, phaseRows, headRows;
    private final WorkerPool.Task splitTask = this::splitLane;

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

    /**
     * A cache for {@code maxSequences} concurrent sequences of up to blockSize tokens each, decoded on
     * {@link GptRuntime#threads()} threads.
     */
    public KvCacheDecoder(Gpt model, int maxSequences) {
        this(model, maxSequences, GptRuntime.threads());
    }

    /** As above with an explicit number of decoding threads (each product of a step is split over them). */
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
            throw new IllegalArgumentException(
                    "a KV cache for " + slots + " sequences of " + cfg + " exceeds one array");
        }
        int n = threads;
        try {
            this.w = new DecodeWeights(model);
            keys = new float[(int) cache];
            values = new float[(int) cache];
            logits = new float[maxRows * cfg.vocabSize()];
            lanes = new Lane[n];
            // Lane 0 holds the rows; with more threads the others share its rows and keep only their own scores.
            for (int i = 0; i < n; i++) lanes[i] = new Lane(cfg, i == 0 ? maxRows : 1, padded);
        } catch (OutOfMemoryError e) {
            // The weights copy and the cache live on the Java heap: say what did not fit instead of dying.
            throw new IllegalStateException(
                    "not enough Java heap for a decoder of " + cfg + " with " + slots + " sequences: it needs about "
                            + (bufferFloats(cfg, slots) * 4 >> 20) + " MB (raise -Xmx)",
                    e);
        }
        pool = new WorkerPool(n);
        WorkerPool wp = pool;
        java.lang.ref.Cleaner.create().register(this, wp::shutdown);
        lengths = new int[slots];
        rowSlot = new int[maxRows];
        rowPos = new int[maxRows];
        lastRows = new int[slots];
        prefillTokens = new int[maxRows];
    }

    static long bufferFloats(GptConfig cfg, int maxSequences) {
        long c = cfg.nEmbd(), rows = Math.max(maxSequences, cfg.blockSize());
        int lanes = GptRuntime.threads();
        long padded = roundUp(cfg.blockSize(), DecodeKernels.L);
        return DecodeWeights.floats(cfg)
                + 2L * cfg.nLayer() * maxSequences * c * padded
                + (rows * c * 10 + padded)
                + (lanes - 1) * (c * 10 + padded)
                + rows * cfg.vocabSize();
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
        return prefill(new int[] {slot}, new int[][] {tokens}, null)[0];
    }

    /** How many prompt tokens one {@link #prefill(int[], int[][], float[][])} pass takes at most, over all its prompts. */
    public int maxPrefillRows() {
        return maxRows;
    }

    /**
     * Prefills several sequences in one pass: {@code prompts[i]} is appended to {@code slotIds[i]} (slots distinct),
     * and {@code out[i]} (allocated when null or short) receives the logits after its last token. Each weight matrix
     * is read once for the rows of all the prompts, so requests that arrive together all get their first token after
     * one pass instead of one pass each. The prompts' tokens together must not exceed {@link #maxPrefillRows()}.
     */
    public float[][] prefill(int[] slotIds, int[][] prompts, float[][] out) {
        int k = slotIds.length;
        if (prompts.length != k)
            throw new IllegalArgumentException("slots and prompts differ in length: " + k + " vs " + prompts.length);
        if (k == 0 || k > slots)
            throw new IllegalArgumentException("prefill takes 1.." + slots + " sequences, got " + k);
        int n = 0;
        for (int i = 0; i < k; i++) {
            int s = slotIds[i];
            checkSlot(s);
            for (int j = 0; j < i; j++) {
                if (slotIds[j] == s) throw new IllegalArgumentException("slot " + s + " appears twice in one prefill");
            }
            if (prompts[i].length == 0) throw new IllegalArgumentException("prefill needs at least one token");
            checkRoom(s, prompts[i].length);
            n += prompts[i].length;
        }
        if (n > maxRows)
            throw new IllegalArgumentException("a prefill pass takes at most " + maxRows + " tokens, got " + n);
        // Everything is checked before the first row is written: a refused prefill leaves the cache as it was.
        for (int[] p : prompts) for (int t : p) Embedding.checkToken(t, cfg.vocabSize());
        int r = 0;
        for (int i = 0; i < k; i++) {
            int s = slotIds[i];
            for (int j = 0; j < prompts[i].length; j++, r++) {
                prefillTokens[r] = prompts[i][j];
                rowSlot[r] = s;
                rowPos[r] = lengths[s] + j;
            }
            lastRows[i] = r - 1;
        }
        run(prefillTokens, n, k);
        int v = cfg.vocabSize();
        if (out == null || out.length < k) out = new float[k][];
        for (int i = 0; i < k; i++) {
            if (out[i] == null || out[i].length < v) out[i] = new float[v];
            System.arraycopy(logits, i * v, out[i], 0, v);
            lengths[slotIds[i]] += prompts[i].length;
        }
        return out;
    }

    /**
     * Advances several sequences by one token each: {@code tokens[i]} is appended to {@code slots[i]}
     * (slots distinct), and {@code out[i]} (length vocabSize; allocated when null or short) receives the
     * logits for that sequence's next token. Returns {@code out}.
     */
    public float[][] decode(int[] slotIds, int[] tokens, float[][] out) {
        int n = slotIds.length;
        if (tokens.length != n)
            throw new IllegalArgumentException("slots and tokens differ in length: " + n + " vs " + tokens.length);
        if (n == 0 || n > slots)
            throw new IllegalArgumentException("decode takes 1.." + slots + " sequences, got " + n);
        for (int i = 0; i < n; i++) {
            int s = slotIds[i];
            checkSlot(s);
            Embedding.checkToken(tokens[i], cfg.vocabSize());
            for (int j = 0; j < i; j++) {
                if (slotIds[j] == s)
                    throw new IllegalArgumentException("slot " + s + " appears twice in one decode step");
            }
            checkRoom(s, 1);
            rowSlot[i] = s;
            rowPos[i] = lengths[s];
        }
        run(tokens, n, 0);
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

    /**
     * Rows 0..n (slot rowSlot[r], position rowPos[r], token tokens[r]) through the network. Logits go to logits
     * row r for every row (prompts 0: a decode step), or to row j for row lastRows[j], j < prompts (a prefill).
     */
    private void run(int[] tokens, int n, int prompts) {
        if (lanes.length == 1) runOneThread(lanes[0], tokens, n, prompts);
        else runSplit(tokens, n, prompts);
    }

    private void runOneThread(Lane ln, int[] tokens, int n, int prompts) {
        DecodeWeights w = this.w;
        int c = cfg.nEmbd(), v = cfg.vocabSize();
        for (int i = 0; i < n; i++) DecodeKernels.add(w.wte, tokens[i] * c, w.wpe, rowPos[i] * c, ln.x, i * c, c);
        for (int l = 0; l < cfg.nLayer(); l++) {
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln1W[l], w.ln1B[l], c);
            DecodeKernels.matmul(ln.qkv, 0, 3 * c, ln.ln, 0, c, w.qkvW[l], w.qkvB[l], n, c, 3 * c, false);
            // Every row's key and value first: in a prefill a row attends to the rows before it.
            for (int i = 0; i < n; i++) store(ln, l, i);
            for (int i = 0; i < n; i++) attend(ln.qkv, ln.atty, ln.scores, l, i);
            // Residual connections are fused: the projections add onto x.
            DecodeKernels.matmul(ln.x, 0, c, ln.atty, 0, c, w.projW[l], w.projB[l], n, c, c, true);
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln2W[l], w.ln2B[l], c);
            DecodeKernels.matmul(ln.fch, 0, 4 * c, ln.ln, 0, c, w.fcW[l], w.fcB[l], n, c, 4 * c, false);
            DecodeKernels.gelu(ln.fch, 0, n * 4 * c);
            DecodeKernels.matmul(ln.x, 0, c, ln.fch, 0, 4 * c, w.fcProjW[l], w.fcProjB[l], n, 4 * c, c, true);
        }
        int rows = finalNorm(ln, n, prompts);
        DecodeKernels.matmul(logits, 0, v, ln.ln, 0, c, w.head, null, rows, c, v, false);
    }

    /**
     * The same pass on several threads: each matrix product split by output columns (every thread reads only its
     * part of the weights, which matters once they come from memory rather than cache), attention by rows, the
     * cheap row-wise steps on the calling thread. One fork-join per product.
     */
    private void runSplit(int[] tokens, int n, int prompts) {
        DecodeWeights w = this.w;
        Lane ln = lanes[0];
        int c = cfg.nEmbd();
        phaseRows = n;
        for (int i = 0; i < n; i++) DecodeKernels.add(w.wte, tokens[i] * c, w.wpe, rowPos[i] * c, ln.x, i * c, c);
        for (int l = 0; l < cfg.nLayer(); l++) {
            phaseLayer = l;
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln1W[l], w.ln1B[l], c);
            split(QKV);
            for (int i = 0; i < n; i++) store(ln, l, i);
            split(ATTEND);
            split(PROJ);
            for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.ln2W[l], w.ln2B[l], c);
            split(FC);
            split(FC_PROJ);
        }
        headRows = finalNorm(ln, n, prompts);
        split(HEAD);
    }

    private void split(int what) {
        phase = what;
        pool.run(splitTask);
    }

    /** Lane {@code lane}'s share of the current phase of {@link #runSplit}. */
    private void splitLane(int lane) {
        DecodeWeights w = this.w;
        Lane ln = lanes[0];
        int n = phaseRows, l = phaseLayer, c = cfg.nEmbd(), v = cfg.vocabSize();
        switch (phase) {
            case QKV -> {
                int from = columnsFrom(3 * c, lane), to = columnsTo(3 * c, lane);
                if (from < to)
                    DecodeKernels.matmul(
                            ln.qkv, 0, 3 * c, ln.ln, 0, c, w.qkvW[l], w.qkvB[l], n, c, 3 * c, false, from, to);
            }
            case ATTEND -> {
                int per = (n + lanes.length - 1) / lanes.length;
                for (int i = lane * per, end = Math.min(n, i + per); i < end; i++)
                    attend(ln.qkv, ln.atty, lanes[lane].scores, l, i);
            }
            case PROJ -> {
                int from = columnsFrom(c, lane), to = columnsTo(c, lane);
                if (from < to)
                    DecodeKernels.matmul(ln.x, 0, c, ln.atty, 0, c, w.projW[l], w.projB[l], n, c, c, true, from, to);
            }
            case FC -> {
                int from = columnsFrom(4 * c, lane), to = columnsTo(4 * c, lane);
                if (from < to) {
                    DecodeKernels.matmul(
                            ln.fch, 0, 4 * c, ln.ln, 0, c, w.fcW[l], w.fcB[l], n, c, 4 * c, false, from, to);
                    for (int i = 0; i < n; i++) DecodeKernels.gelu(ln.fch, i * 4 * c + from, to - from);
                }
            }
            case FC_PROJ -> {
                int from = columnsFrom(c, lane), to = columnsTo(c, lane);
                if (from < to)
                    DecodeKernels.matmul(
                            ln.x, 0, c, ln.fch, 0, 4 * c, w.fcProjW[l], w.fcProjB[l], n, 4 * c, c, true, from, to);
            }
            case HEAD -> {
                int from = columnsFrom(v, lane), to = columnsTo(v, lane);
                if (from < to)
                    DecodeKernels.matmul(logits, 0, v, ln.ln, 0, c, w.head, null, headRows, c, v, false, from, to);
            }
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    /** Lane's first output column of an oc-wide product: whole panels, split as evenly as they go. */
    private int columnsFrom(int oc, int lane) {
        int panels = oc / DecodeKernels.P, per = (panels + lanes.length - 1) / lanes.length;
        return Math.min(panels, lane * per) * DecodeKernels.P;
    }

    /** One past the lane's last column; the last lane also takes the columns after the last whole panel. */
    private int columnsTo(int oc, int lane) {
        if (lane == lanes.length - 1) return oc;
        int panels = oc / DecodeKernels.P, per = (panels + lanes.length - 1) / lanes.length;
        return Math.min(panels, (lane + 1) * per) * DecodeKernels.P;
    }

    /** Final LayerNorm into ln rows 0..: of every row, or of each prompt's last row; returns how many rows. */
    private int finalNorm(Lane ln, int n, int prompts) {
        int c = cfg.nEmbd();
        if (prompts > 0) {
            for (int j = 0; j < prompts; j++)
                DecodeKernels.layerNorm(ln.ln, j * c, ln.x, lastRows[j] * c, w.lnfW, w.lnfB, c);
            return prompts;
        }
        for (int i = 0; i < n; i++) DecodeKernels.layerNorm(ln.ln, i * c, ln.x, i * c, w.lnfW, w.lnfB, c);
        return n;
    }

    /** Appends row i's key and value to its sequence's cache, at its position, in each head's block. */
    private void store(Lane ln, int l, int i) {
        int c = cfg.nEmbd(), hs = cfg.headSize(), L = DecodeKernels.L, pos = rowPos[i];
        int kq = i * 3 * c + c, vq = kq + c, block = hs * padded;
        int base = (l * slots + rowSlot[i]) * c * padded, chunk = pos / L * hs * L + pos % L;
        for (int h = 0; h < cfg.nHead(); h++, base += block, kq += hs, vq += hs) {
            for (int d = 0; d < hs; d++) keys[base + chunk + d * L] = ln.qkv[kq + d];
            System.arraycopy(ln.qkv, vq, values, base + pos * hs, hs);
        }
    }

    /**
     * Row i attends over its sequence's cached keys and values, positions 0..rowPos[i]: per head, scores as
     * vectors over positions, a softmax, then y = sum of p_j v_j into atty row i. Each loop keeps four
     * independent FMA chains so the FMA latency does not set the pace.
     */
    private void attend(float[] qkv, float[] atty, float[] sc, int l, int i) {
        var S = DecodeKernels.S;
        int c = cfg.nEmbd(), nh = cfg.nHead(), hs = cfg.headSize(), len = rowPos[i] + 1, L = DecodeKernels.L;
        int lenUp = roundUp(len, L), block = hs * padded, chunk = hs * L;
        float scale = (float) (1.0 / Math.sqrt(hs));
        float[] q = qkv, k = keys, val = values, y = atty;
        int base = (l * slots + rowSlot[i]) * c * padded;
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
            for (p = 0; p < lenUp; p += L)
                MathKernels.exp(FloatVector.fromArray(S, sc, p).sub(max)).intoArray(sc, p);
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
        if (slot < 0 || slot >= slots)
            throw new IllegalArgumentException("slot " + slot + " outside [0, " + slots + ")");
    }

    private void checkRoom(int slot, int n) {
        if (lengths[slot] + n > cfg.blockSize()) {
            throw new IllegalStateException("sequence in slot " + slot + " would reach " + (lengths[slot] + n)
                    + " tokens, past the context of " + cfg.blockSize() + "; reset it or start from a shorter window");
        }
    }
}
