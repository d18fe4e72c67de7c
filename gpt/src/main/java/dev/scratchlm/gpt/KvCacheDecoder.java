package dev.scratchlm.gpt;

/**
 * Incremental decoding with a key/value cache: a prompt is prefilled once, then each new token costs
 * one row through the network, never recomputing the prefix. Several independent sequences live in
 * slots and one {@link #decode} call advances any subset of them together (each at its own
 * position); their rows are split over {@link GptRuntime#threads()} worker threads.
 *
 * <p>Shares the weights of the {@link Gpt} it was made from (training the model changes what it
 * decodes). Not thread-safe: serve concurrent requests by batching them into {@link #decode} calls
 * from one thread, or guard it with a lock.
 */
public final class KvCacheDecoder {
    private final GptConfig cfg;
    private final ParamLayout p;
    private final int slots, maxRows;
    private final NativeBuffer kCache, vCache, logits;
    private final Lane[] lanes;
    private final WorkerPool pool;
    private final int[] lengths;
    private final int[] rowSlot, rowPos;
    private int[] runTokens;
    private int runRows;
    private final WorkerPool.Task decodeTask = this::decodeLane;

    /** One thread's scratch rows and its own pointer views of the shared weights, cache and logits. */
    private final class Lane {
        final NativeBuffer w, kc, vc, out;
        final NativeBuffer x, ln, qkv, atty, branch, fch, outLn, scores;

        Lane(Gpt model, boolean first) {
            int c = cfg.nEmbd();
            w = first ? model.params : model.params.alias();
            kc = first ? kCache : kCache.alias();
            vc = first ? vCache : vCache.alias();
            out = first ? logits : logits.alias();
            x = new NativeBuffer((long) maxRows * c);
            ln = new NativeBuffer((long) maxRows * c);
            qkv = new NativeBuffer((long) maxRows * 3 * c);
            atty = new NativeBuffer((long) maxRows * c);
            branch = new NativeBuffer((long) maxRows * c);
            fch = new NativeBuffer((long) maxRows * 4 * c);
            outLn = new NativeBuffer((long) maxRows * c);
            scores = new NativeBuffer(cfg.blockSize());
        }
    }

    /** A cache for {@code maxSequences} concurrent sequences of up to blockSize tokens each. */
    public KvCacheDecoder(Gpt model, int maxSequences) {
        this(model, maxSequences, GptRuntime.threads());
    }

    /** As above with an explicit number of decoding threads. */
    public KvCacheDecoder(Gpt model, int maxSequences, int threads) {
        if (maxSequences <= 0) throw new IllegalArgumentException("maxSequences must be > 0, got " + maxSequences);
        if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
        this.cfg = model.config();
        this.p = model.layout();
        this.slots = maxSequences;
        this.maxRows = Math.max(maxSequences, cfg.blockSize());
        long cache = (long) cfg.nLayer() * slots * cfg.blockSize() * cfg.nEmbd();
        kCache = new NativeBuffer(cache);
        vCache = new NativeBuffer(cache);
        logits = new NativeBuffer((long) maxRows * cfg.vocabSize());
        int n = Math.min(threads, maxSequences);
        lanes = new Lane[n];
        for (int i = 0; i < n; i++) lanes[i] = new Lane(model, i == 0);
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
        return 2L * cfg.nLayer() * maxSequences * cfg.blockSize() * c + lanes * (rows * c * 12 + cfg.blockSize())
                + rows * cfg.vocabSize();
    }

    public int maxSequences() {
        return slots;
    }

    public GptConfig config() {
        return cfg;
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
            rowSlot[i] = slot;
            rowPos[i] = lengths[slot] + i;
        }
        // One thread: a row attends to the keys the rows before it wrote in the same layer.
        runRows(lanes[0], tokens, 0, n, false);
        lengths[slot] += n;
        float[] out = new float[cfg.vocabSize()];
        logits.copyTo(0, out, 0, out.length);
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
        // Rows are independent sequences here, so they split over the threads.
        runTokens = tokens;
        runRows = n;
        if (n == 1) runRows(lanes[0], tokens, 0, 1, true);
        else pool.run(decodeTask);
        runTokens = null;
        int v = cfg.vocabSize();
        if (out == null || out.length < n) out = new float[n][];
        for (int i = 0; i < n; i++) {
            if (out[i] == null || out[i].length < v) out[i] = new float[v];
            logits.copyTo((long) i * v, out[i], 0, v);
            lengths[slotIds[i]]++;
        }
        return out;
    }

    /** One token for one sequence: {@code decode(new int[]{slot}, new int[]{token}, null)[0]}. */
    public float[] decode(int slot, int token) {
        return decode(new int[] {slot}, new int[] {token}, null)[0];
    }

    private void decodeLane(int w) {
        int n = runRows, per = (n + lanes.length - 1) / lanes.length;
        int r0 = Math.min(n, w * per), r1 = Math.min(n, r0 + per);
        if (r0 < r1) runRows(lanes[w], runTokens, r0, r1, true);
    }

    /**
     * Rows r0..r1 (slot rowSlot[r], position rowPos[r], token tokens[r]) through the network on one
     * lane. Logits go to logits row r for every row ({@code everyRow}), or to row 0 for the last only.
     */
    private void runRows(Lane ln, int[] tokens, int r0, int r1, boolean everyRow) {
        int n = r1 - r0, c = cfg.nEmbd(), hs = cfg.headSize(), nh = cfg.nHead(), v = cfg.vocabSize();
        NativeBuffer w = ln.w;
        for (int i = 0; i < n; i++) {
            int r = r0 + i;
            Embedding.checkToken(tokens[r], v);
            Kernels.add(w.bb, p.wte + tokens[r] * c, w.bb, p.wpe + rowPos[r] * c, ln.x.bb, i * c, c);
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int l = 0; l < cfg.nLayer(); l++) {
            LayerNorm.forward(ln.ln, 0, null, null, 0, ln.x, 0, w, p.ln1W[l], w, p.ln1B[l], n, c);
            Linear.forward(ln.qkv, 0, ln.ln, 0, w, p.qkvW[l], w, p.qkvB[l], n, c, 3 * c);
            for (int i = 0; i < n; i++) {
                int at = cacheOffset(l, rowSlot[r0 + i], rowPos[r0 + i]);
                Kernels.copy(ln.qkv.bb, i * 3 * c + c, ln.kc.bb, at, c);
                Kernels.copy(ln.qkv.bb, i * 3 * c + 2 * c, ln.vc.bb, at, c);
            }
            for (int i = 0; i < n; i++) attend(ln, l, i, r0 + i, nh, hs, c, scale);
            Linear.forward(ln.branch, 0, ln.atty, 0, w, p.attProjW[l], w, p.attProjB[l], n, c, c);
            Kernels.addInto(ln.branch.bb, 0, ln.x.bb, 0, n * c);
            LayerNorm.forward(ln.ln, 0, null, null, 0, ln.x, 0, w, p.ln2W[l], w, p.ln2B[l], n, c);
            Linear.forward(ln.fch, 0, ln.ln, 0, w, p.fcW[l], w, p.fcB[l], n, c, 4 * c);
            Gelu.forward(ln.fch, 0, ln.fch, 0, n * 4 * c);
            Linear.forward(ln.branch, 0, ln.fch, 0, w, p.fcProjW[l], w, p.fcProjB[l], n, 4 * c, c);
            Kernels.addInto(ln.branch.bb, 0, ln.x.bb, 0, n * c);
        }
        // Final LayerNorm and the tied LM head only for the rows whose logits are wanted.
        if (everyRow) {
            LayerNorm.forward(ln.outLn, 0, null, null, 0, ln.x, 0, w, p.lnfW, w, p.lnfB, n, c);
            Linear.forward(ln.out, r0 * v, ln.outLn, 0, w, p.wte, null, 0, n, c, v);
        } else {
            LayerNorm.forward(ln.outLn, 0, null, null, 0, ln.x, (n - 1) * c, w, p.lnfW, w, p.lnfB, 1, c);
            Linear.forward(ln.out, 0, ln.outLn, 0, w, p.wte, null, 0, 1, c, v);
        }
    }

    /**
     * Lane row i (global row r) attends over its sequence's cached keys and values, positions
     * 0..rowPos[r]: two sgemv calls per head (scores = K q, y = V^T p) on the cache in place.
     */
    private void attend(Lane ln, int l, int i, int r, int nh, int hs, int c, float scale) {
        int base = cacheOffset(l, rowSlot[r], 0), len = rowPos[r] + 1;
        for (int h = 0; h < nh; h++) {
            Blas.gemv(false, len, hs, scale, ln.kc.at(0, base + h * hs), c, ln.qkv.at(0, i * 3 * c + h * hs), 0f,
                    ln.scores.at(0, 0));
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) max = Math.max(max, ln.scores.get(j));
            float sum = 0;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(ln.scores.get(j) - max);
                ln.scores.set(j, e);
                sum += e;
            }
            Kernels.scale(ln.scores.bb, 0, len, 1f / sum);
            Blas.gemv(true, len, hs, 1f, ln.vc.at(0, base + h * hs), c, ln.scores.at(1, 0), 0f,
                    ln.atty.at(0, i * c + h * hs));
        }
    }

    private int cacheOffset(int layer, int slot, int pos) {
        return ((layer * slots + slot) * cfg.blockSize() + pos) * cfg.nEmbd();
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
